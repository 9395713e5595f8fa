// Is it prose? Checks for the content router (detect.ts): framed changelogs, licence notices and
// plain paragraphs of sentences.
// Debian changelogs ("pkg (1.2-3) unstable; urgency=medium" ... " -- Name <mail>  date"),
// machine-readable copyright files and setext-heading changelogs: prose with a fixed frame, whose
// "  * " items read as code.
const DEB_CHANGELOG_RE = /^[a-z0-9][a-z0-9+.~-]* \([^()\s]+\) [\w .-]+; urgency=\w+/;
const DEB_TRAILER_RE = /^ -- .+ <[^>\s]+>  \S/;
const DEP5_RE = /^Format: https?:\/\/\S*copyright-format/i;
// Setext-style Markdown ("1.3.8 / 2022-02-02" over a "=====" line), the HISTORY.md of many packages.
const SETEXT_RE = /^={3,}\s*$/;
export function isDebianProse(lines: readonly string[]): boolean {
  const first = lines[0] ?? "";
  if (DEP5_RE.test(first)) return true;
  if (DEB_CHANGELOG_RE.test(first) && lines.some((l) => DEB_TRAILER_RE.test(l))) return true;
  let setext = 0;
  for (let i = 1; i < lines.length && setext < 2; i++) if (SETEXT_RE.test(lines[i] ?? "") && /\w/.test(lines[i - 1] ?? "")) setext++;
  return setext >= 2;
}

// Licence and copyright notices: the words "copyright" and "licence" near the top, sentences, few
// code symbols (a source file with a licence header was already taken for code).
export function isLicenceText(lines: readonly string[]): boolean {
  const head = lines.slice(0, 40).join("\n");
  if (!/\bcopyright\b/i.test(head) || !/\blicen[cs]e\b/i.test(head)) return false;
  let symbols = 0;
  let total = 0;
  let sentences = 0;
  for (const line of lines) {
    total += line.length;
    for (let i = 0; i < line.length; i++) if ("{}[]<>=;|\\_$@^~`".includes(line[i] ?? "")) symbols++;
    if (/[a-z][.!?,;:]["')]?(?:\s|$)/.test(line)) sentences++;
  }
  return total > 0 && symbols / total <= 0.03 && sentences / lines.length >= 0.3;
}

// Prose: mostly letters and spaces, sentence punctuation, few code symbols.
export function isProse(lines: readonly string[]): boolean {
  let letters = 0;
  let symbols = 0;
  let total = 0;
  let sentences = 0;
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      total++;
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32 || c > 127) letters++;
      else if ("{}[]<>=;|\\/_*#$@^~`".includes(line[i] ?? "")) symbols++;
    }
    if (/[a-z][.!?]["')]?(?:\s|$)/.test(line)) sentences++;
  }
  return total > 0 && letters / total >= 0.85 && symbols / total <= 0.02 && sentences / lines.length >= 0.2;
}
