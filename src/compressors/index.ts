// Which compressor handles which kind. Code, HTML and prose fall back to the generic text
// compressor until their own compressors land (AST-aware code and extractive prose).
import type { Compressor, ContentKind } from "./types.js";
import { compressCode } from "./code.js";
import { compressDiff } from "./diff.js";
import { compressJson } from "./json.js";
import { compressListing } from "./listing.js";
import { compressLog } from "./log.js";
import { compressProse } from "./prose.js";
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
  prose: compressProse,
  text: compressText,
};

export function compressorFor(kind: ContentKind): Compressor {
  return BY_KIND[kind];
}
