// Syntax errors in a tree-sitter tree: ERROR nodes and MISSING (inserted) nodes. The code compressor
// keeps its output only when it has no more of them than the input had.
import type { Node } from "web-tree-sitter";

/** Number of ERROR and MISSING nodes under `root`; walks only subtrees that contain one. */
export function syntaxErrors(root: Node): number {
  if (!root.hasError) return 0;
  let count = 0;
  // An explicit stack: broken input can nest deeper than the call stack allows.
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.isError || node.isMissing) count++;
    for (const child of node.children) if (child && (child.hasError || child.isMissing)) stack.push(child);
  }
  return count;
}
