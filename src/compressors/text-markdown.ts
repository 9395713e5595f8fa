// Markdown structure shared by the router (a Markdown document is one section) and the text
// compressor (headings are the map of a document; fenced blocks belong to the paragraph before).

export const MD_HEADING_RE = /^#{1,6} \S/;
export const MD_FENCE_RE = /^ {0,3}(?:```|~~~)/;
const MD_SYNTAX_RE = /\[[^\]\n]+\]\([^)\s]+\)|^\s*[-*+] \S|^\s*\d+\. \S|\*\*\S|`[^`\n]+`|^\s*>\s|^\|.*\|\s*$/;

/**
 * Markdown: ATX headings set off by blank lines, plus other Markdown syntax (fences, links, lists,
 * emphasis, inline code). Headings alone could be root prompts ("# ls"), so both are required.
 */
export function isMarkdown(lines: readonly string[]): boolean {
  // Headings are cheap to find and required: most tool outputs have none, so stop there.
  let anyHeadings = 0;
  for (const line of lines) if (MD_HEADING_RE.test(line) && ++anyHeadings >= 2) break;
  if (anyHeadings < 2) return false;
  let headings = 0;
  let spaced = 0;
  let fences = 0;
  let syntax = 0;
  let nonBlank = 0;
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (MD_FENCE_RE.test(line)) {
      fences++;
      inFence = !inFence;
      continue;
    }
    if (line.trim() === "") continue;
    nonBlank++;
    if (inFence) continue;
    if (MD_HEADING_RE.test(line)) {
      headings++;
      if ((lines[i - 1] ?? "").trim() === "" || (lines[i + 1] ?? "").trim() === "") spaced++;
    } else if (MD_SYNTAX_RE.test(line)) syntax++;
  }
  if (nonBlank === 0) return false;
  return headings >= 2 && spaced >= headings * 0.6 && (fences >= 2 || syntax / nonBlank >= 0.1);
}

/** For each line, whether it is inside a fenced block (fence lines themselves count as inside). */
export function fencedLines(lines: readonly string[]): Uint8Array {
  const out = new Uint8Array(lines.length);
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    if (MD_FENCE_RE.test(lines[i] ?? "")) {
      out[i] = 1;
      inFence = !inFence;
    } else if (inFence) out[i] = 1;
  }
  return out;
}
