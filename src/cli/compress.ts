// `headroom compress [FILE|-]`: the pipeline on one piece of content.
import type { ContentKind } from "../compressors/types.js";
import { CONTENT_KINDS } from "../compressors/types.js";
import { HeadroomError } from "../errors.js";
import { loadGrammars } from "../resources/grammars.js";
import { openStoreWith } from "./store.js";
import { loadConfiguredProseModel } from "./prose-model.js";
import { resolveSettings } from "./settings.js";
import { printJson } from "./output.js";
import { decodeUtf8, readInput } from "./read-input.js";

export interface CompressCommandOptions {
  readonly file?: string;
  readonly query?: string;
  readonly kind?: string;
  readonly json?: boolean;
}

export async function compressCommand(options: CompressCommandOptions): Promise<number> {
  const kind = parseKind(options.kind);
  const bytes = await readInput(options.file);
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    // Not UTF-8: nothing is compressed, the bytes go out as they came.
    if (options.json) {
      printJson({ text: null, textBase64: bytes.toString("base64"), kind: "binary", tokensBefore: null, tokensAfter: null, hashes: [], fallback: "not valid UTF-8" });
    } else process.stdout.write(bytes);
    return 0;
  }
  const { compressText } = await import("../library.js");
  const settings = await resolveSettings();
  const store = await openStoreWith(settings);
  await loadGrammars();
  const proseModel = await loadConfiguredProseModel(settings, (line) => process.stderr.write(`${line}\n`));
  const result = await compressText(text, { store, ...(options.query ? { query: options.query } : {}), ...(kind ? { kind } : {}), ...(options.file && options.file !== "-" ? { path: options.file } : {}), ...(proseModel ? { proseModel } : {}) });
  if (options.json) printJson(result);
  else process.stdout.write(result.text);
  return 0;
}

function parseKind(kind: string | undefined): ContentKind | undefined {
  if (kind === undefined) return undefined;
  if (!CONTENT_KINDS.includes(kind as ContentKind)) {
    throw new HeadroomError("HR_BAD_OPTION", `Unknown kind "${kind}": expected one of ${CONTENT_KINDS.join(", ")}.`);
  }
  return kind as ContentKind;
}
