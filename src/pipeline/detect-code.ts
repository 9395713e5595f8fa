// Is it source code? The share of lines shaped like code, for the content router (detect.ts).
const CODE_RE =
  /^\s*(?:import\s|export\s|from\s\S+\simport|def\s|class\s|function[\s*(]|const\s|let\s|var\s|return\b|if\s*\(|for\s*\(|while\s*\(|fn\s|pub\s|use\s|package\s|func\s|struct\s|impl\s|#include|public\s|private\s|protected\s|static\s|async\s|await\s|try\s*[:{]|except\b|catch\s*\(|else\b|elif\s|@\w+|\/\/|\/\*|\*\s|\*\/|#\s)|[{};]\s*$|^\s*[})\]];?,?\s*$|=>|:\s*$/;

// Code shapes CODE_RE misses, each rare in prose and logs: preprocessor lines, a call or an
// assignment opening a line, a line left open by a bracket, a table row (`('A', 1),`), a
// `key: value,` field, Python's bare statements.
const CODE_MORE_RE =
  /^\s*(?:#\s*(?:define|undef|ifn?def|if|elif|else|endif|pragma|error)\b|[\w.$]+!?\(|[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s+(?::=|[-+*|&]?=)\s*\S|["'(\[{].*[)\]}"'],\s*$|[\w"'$-]+\s*:\s*\S.*,\s*$|(?:pass|break|continue|raise|yield|assert|with)\b|[\w$]+,\s*$|(?:'[^']*'|"[^"]*"|\d[\w.]*),?\s+(?:#|\/\/))|[(\[]\s*$/;

const BLOCK_OPEN_RE = /^\s*\/\*/;
const PYTHON_RE = /^(?:import \w|from [\w.]+ import |def \w+\(|class \w+[(:])/;

// Share of code-like lines among the lines outside /* ... */ blocks and Python triple-quoted
// strings: a long licence header or docstring says nothing either way.
export function codeRatio(lines: readonly string[]): number {
  let hits = 0;
  let inBlock = false;
  let inString = false;
  let comments = 0;
  // Docstrings only where Python is written (licences quote with """ too).
  const python = lines.some((line) => PYTHON_RE.test(line));
  for (const line of lines) {
    // A comment opening its line: a glob (`src/*`) or a URL mid-line opens nothing.
    const opens = BLOCK_OPEN_RE.test(line);
    const quotes = python && line.includes('"""') ? line.split('"""').length - 1 : 0;
    if (inBlock || inString || opens || quotes > 0) comments++;
    else if (CODE_RE.test(line) || CODE_MORE_RE.test(line)) hits++;
    if (opens) inBlock = line.lastIndexOf("*/") < line.lastIndexOf("/*");
    else if (inBlock && line.includes("*/")) inBlock = false;
    if (quotes % 2 === 1) inString = !inString;
  }
  const counted = lines.length - comments;
  return counted === 0 ? 0 : hits / counted;
}
