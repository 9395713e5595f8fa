// Which compressor handles which kind. Code the tree-sitter compressor cannot take (unknown language,
// grammar not loaded, output that would not re-parse) and HTML go to the generic text compressor;
// prose goes to the optional model's word selection when the model scored it, else extractive.
import type { Compressor, ContentKind } from "./types.js";
import { compressCode } from "./code.js";
import { compressDiff } from "./diff.js";
import { compressJson } from "./json.js";
import { compressListing } from "./listing.js";
import { compressLog } from "./log.js";
import { compressProse } from "./prose.js";
import { compressProseWithProbabilities } from "./prose-ml.js";
import { compressSearch } from "./search.js";
import { compressText } from "./text.js";

const BY_KIND: Record<ContentKind, Compressor> = {
  json: compressJson,
  search: compressSearch,
  log: compressLog,
  diff: compressDiff,
  listing: compressListing,
  code: (text, context) => compressCode(text, context) ?? compressText(text, context),
  html: compressText,
  prose: (text, context) => (context.wordKeepProbabilities ? compressProseWithProbabilities(text, context) : null) ?? compressProse(text, context),
  text: compressText,
};

export function compressorFor(kind: ContentKind): Compressor {
  return BY_KIND[kind];
}
