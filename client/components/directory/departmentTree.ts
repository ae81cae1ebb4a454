import type { DepartmentNode } from '../../api/schemas';

/** A department as a row of the tree view. */
export interface TreeRow {
  node: DepartmentNode;
  depth: number;
  hasChildren: boolean;
}

// One collator for every comparison: `String#localeCompare` sets one up per call, which made sorting 2,000
// departments a noticeable part of opening the department picker.
const collator = new Intl.Collator();

function bySortThenName(a: DepartmentNode, b: DepartmentNode): number {
  return a.sort - b.sort || collator.compare(a.name, b.name);
}

/**
 * The departments the tree shows, in display order: every root, and the children of expanded
 * departments only, so a company of thousands of departments renders just the open branches.
 */
export function visibleDepartments(tree: readonly DepartmentNode[], expanded: ReadonlySet<number>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (nodes: readonly DepartmentNode[], depth: number) => {
    for (const node of [...nodes].sort(bySortThenName)) {
      rows.push({ node, depth, hasChildren: node.children.length > 0 });
      if (expanded.has(node.id)) walk(node.children, depth + 1);
    }
  };
  walk(tree, 0);
  return rows;
}
