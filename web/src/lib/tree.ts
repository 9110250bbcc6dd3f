import type { Category } from '../api/types';

/** CategoryNode is a category with its children, in antd Tree's shape. */
export interface CategoryNode {
  key: string;
  title: string;
  category: Category;
  children: CategoryNode[];
}

/**
 * buildCategoryTree turns the flat category list (linked by parent_id) into
 * a forest. Categories whose parent is missing become roots, siblings keep
 * the order of the input, and a parent cycle is broken instead of looping.
 */
export function buildCategoryTree(flat: Category[]): CategoryNode[] {
  const ids = new Set(flat.map((c) => c.id));
  const children = new Map<string, Category[]>();
  const roots: Category[] = [];
  for (const c of flat) {
    const parent = c.parent_id;
    if (!parent || parent === c.id || !ids.has(parent)) {
      roots.push(c);
      continue;
    }
    const list = children.get(parent);
    if (list) list.push(c);
    else children.set(parent, [c]);
  }

  const visited = new Set<string>();
  const build = (c: Category): CategoryNode => {
    visited.add(c.id);
    const kids = (children.get(c.id) ?? []).filter((k) => !visited.has(k.id));
    return { key: c.id, title: c.name, category: c, children: kids.map(build) };
  };

  const forest: CategoryNode[] = [];
  for (const r of roots) {
    if (!visited.has(r.id)) forest.push(build(r));
  }
  // Whatever is left sits on a parent cycle: cut the cycle at its first member.
  for (const c of flat) {
    if (!visited.has(c.id)) forest.push(build(c));
  }
  return forest;
}

/** descendantIds returns the ids of node and of everything below it. */
export function descendantIds(node: CategoryNode): string[] {
  return [node.key, ...node.children.flatMap(descendantIds)];
}

/** findNode finds the node with the given id in a forest. */
export function findNode(forest: CategoryNode[], id: string): CategoryNode | undefined {
  for (const n of forest) {
    if (n.key === id) return n;
    const hit = findNode(n.children, id);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * filterTree keeps the nodes whose name or code contains term (case
 * insensitive) together with their ancestors, and everything below a match.
 */
export function filterTree(forest: CategoryNode[], term: string): CategoryNode[] {
  const needle = term.trim().toLowerCase();
  if (!needle) return forest;
  const keep = (n: CategoryNode): CategoryNode | null => {
    if (n.title.toLowerCase().includes(needle) || n.category.code.toLowerCase().includes(needle)) return n;
    const children = n.children.map(keep).filter((c): c is CategoryNode => c !== null);
    return children.length ? { ...n, children } : null;
  };
  return forest.map(keep).filter((c): c is CategoryNode => c !== null);
}

/** allKeys lists every node key of a forest, parents first. */
export function allKeys(forest: CategoryNode[]): string[] {
  return forest.flatMap((n) => [n.key, ...allKeys(n.children)]);
}
