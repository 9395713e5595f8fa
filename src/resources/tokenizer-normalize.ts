// The normalizer step of a Hugging Face tokenizer.json, for the normalizers BERT and XLM-R exports
// use. "Precompiled" (sentencepiece's compiled NFKC table) is approximated by Unicode NFKC: the same
// for ordinary text, it can differ on rare compatibility characters.

export type Normalize = (text: string) => string;

type Json = Record<string, unknown>;

const identity: Normalize = (text) => text;

/** Builds the normalizer a tokenizer.json describes; `unsupported(type)` makes the error to throw. */
export function normalizerFor(spec: unknown, unsupported: (type: string) => Error): Normalize {
  if (spec === null) return identity;
  if (typeof spec !== "object" || Array.isArray(spec)) throw unsupported(String(spec));
  const s = spec as Json;
  switch (s.type) {
    case "BertNormalizer":
      return bertNormalizer(s);
    case "Sequence": {
      const steps = (Array.isArray(s.normalizers) ? s.normalizers : []).map((n) => normalizerFor(n, unsupported));
      return (text) => steps.reduce((t, step) => step(t), text);
    }
    case "Precompiled":
    case "NFKC":
      return (text) => text.normalize("NFKC");
    case "NFC":
    case "NFD":
    case "NFKD":
      return (text) => text.normalize(s.type as "NFC" | "NFD" | "NFKD");
    case "Lowercase":
      return (text) => text.toLowerCase();
    case "StripAccents":
      return stripMarks;
    case "Strip":
      return (text) => {
        const left = s.strip_left !== false ? text.trimStart() : text;
        return s.strip_right !== false ? left.trimEnd() : left;
      };
    case "Replace":
      return replacer(s, unsupported);
    default:
      throw unsupported(String(s.type));
  }
}

function replacer(s: Json, unsupported: (type: string) => Error): Normalize {
  const pattern = s.pattern as Json | undefined;
  const content = typeof s.content === "string" ? s.content : "";
  if (pattern && typeof pattern.String === "string") {
    const from = pattern.String;
    return (text) => text.split(from).join(content);
  }
  if (pattern && typeof pattern.Regex === "string") {
    const re = new RegExp(pattern.Regex, "gu");
    return (text) => text.replace(re, () => content);
  }
  throw unsupported("Replace without a String or Regex pattern");
}

const stripMarks: Normalize = (text) => text.replace(/\p{Mn}/gu, "");

const PRINTABLE_ASCII_RE = /^[ -~]*$/;

// BERT's normalizer: drop control characters, space out CJK ideographs, strip accents (by default
// only when lower-casing), lower-case.
function bertNormalizer(s: Json): Normalize {
  const clean = s.clean_text !== false;
  const cjk = s.handle_chinese_chars !== false;
  const lowercase = s.lowercase !== false;
  const strip = typeof s.strip_accents === "boolean" ? s.strip_accents : lowercase;
  return (text) => {
    // Printable ASCII has no controls, CJK or accents: only the case may change.
    if (PRINTABLE_ASCII_RE.test(text)) return lowercase ? text.toLowerCase() : text;
    let out = "";
    for (const ch of text) {
      const c = ch.codePointAt(0) ?? 0;
      if (clean && (c === 0 || c === 0xfffd || isControl(ch))) continue;
      if (clean && /\s/u.test(ch)) out += " ";
      else if (cjk && isCjk(c)) out += ` ${ch} `;
      else out += ch;
    }
    if (strip) out = stripMarks(out.normalize("NFD"));
    return lowercase ? out.toLowerCase() : out;
  };
}

// Cc and Cf, except the whitespace controls BERT treats as spaces.
function isControl(ch: string): boolean {
  return ch !== "\t" && ch !== "\n" && ch !== "\r" && /[\p{Cc}\p{Cf}]/u.test(ch);
}

function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x20000 && c <= 0x2a6df) ||
    (c >= 0x2a700 && c <= 0x2ceaf) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x2f800 && c <= 0x2fa1f)
  );
}
