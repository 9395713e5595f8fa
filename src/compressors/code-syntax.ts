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

/** Nodes of chosen types found in one walk of a tree, in document order. */
export interface NodeIndex {
  /** The nodes of these types, in document order. */
  of(types: readonly string[]): Node[];
  /** True when a node of these types starts inside `node` (`node` itself included). */
  holds(node: Node, types: readonly string[]): boolean;
}

/**
 * Walks the tree once for every type the compressor looks at (each descendantsOfType call is a
 * walk of the whole tree, which cost more than the parse on 1000-line files).
 */
export function indexNodes(root: Node, types: readonly string[]): NodeIndex {
  const all = root.descendantsOfType([...new Set(types)]).filter((n): n is Node => n !== null);
  const cache = new Map<string, { nodes: Node[]; starts: number[] }>();
  const get = (types: readonly string[]) => {
    const key = types.join(" ");
    let known = cache.get(key);
    if (!known) {
      const wanted = new Set(types);
      const nodes = all.filter((n) => wanted.has(n.type));
      known = { nodes, starts: nodes.map((n) => n.startIndex) };
      cache.set(key, known);
    }
    return known;
  };
  return {
    of: (types) => get(types).nodes,
    holds: (node, types) => {
      const { starts } = get(types);
      // First start at or after the node's start (binary search), then: is it before its end?
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! < node.startIndex) lo = mid + 1;
        else hi = mid;
      }
      return lo < starts.length && starts[lo]! < node.endIndex;
    },
  };
}
