// The segment builder's model: a tree of AND/OR groups and conditions that a person
// edits, and its conversion to the engine's JSON form (docs/audiences.md) and back.

/** WINDOWS are the engine's behaviour windows. */
export const WINDOWS = ['7d', '30d', '90d', '180d', '365d', 'all'] as const;
export type Window = (typeof WINDOWS)[number];

/** ATTRIBUTES are the member attributes the builder offers, with their kind. */
export const ATTRIBUTES: Record<string, 'set' | 'number'> = {
  gender: 'set',
  city: 'set',
  age: 'number',
  tier: 'set',
  registration_channel: 'set',
  consent: 'set',
  'channel:365d': 'set',
};

export type CondType = 'attr' | 'orders' | 'spend' | 'bought' | 'did' | 'recency' | 'tag' | 'segment';
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'between' | 'in' | 'not_in' | 'exists' | 'missing' | 'in_segment';

/** NUMBER_OPS are the comparisons offered on numbers. */
export const NUMBER_OPS: Op[] = ['>=', '>', '=', '!=', '<', '<=', 'between', 'exists', 'missing'];
/** SET_OPS are the comparisons offered on sets (city, tier, enum tags…). */
export const SET_OPS: Op[] = ['in', 'not_in', 'exists', 'missing'];

/** Cond is one condition of the builder. */
export interface Cond {
  kind: 'cond';
  id: string;
  not: boolean;
  type: CondType;
  /** attr: the attribute; did: the event type; tag: the tag code; segment: the segment code. */
  field: string;
  window: Window;
  op: Op;
  /** Strings for sets, numbers for comparisons; spend in yuan. */
  values: (string | number)[];
  /** The tag's value type, for tag conditions. */
  valueType?: string;
}

/** Group is an AND/OR group of conditions and groups. */
export interface Group {
  kind: 'group';
  id: string;
  not: boolean;
  op: 'and' | 'or';
  children: Node[];
}

export type Node = Cond | Group;

/** JsonCond is the engine's JSON form of a condition. */
export interface JsonCond {
  op: string;
  conditions?: JsonCond[];
  condition?: JsonCond;
  field?: string;
  value?: string | number;
  values?: (string | number)[];
  segment?: string;
}

let seq = 0;
/** newId gives builder nodes keys that are unique in the page. */
export function newId(): string {
  seq += 1;
  return `n${seq}`;
}

/** emptyGroup is a fresh AND group. */
export function emptyGroup(): Group {
  return { kind: 'group', id: newId(), not: false, op: 'and', children: [] };
}

/** newCond is a condition of type with sensible defaults. */
export function newCond(type: CondType): Cond {
  const base = { kind: 'cond' as const, id: newId(), not: false, type, field: '', window: '30d' as Window, values: [] };
  switch (type) {
    case 'attr':
      return { ...base, field: 'gender', op: 'in' };
    case 'orders':
      return { ...base, op: '>=', values: [1] };
    case 'spend':
      return { ...base, window: '90d', op: '>=', values: [100] };
    case 'bought':
      return { ...base, window: '90d', op: 'in' };
    case 'did':
      return { ...base, op: '>=', values: [1] };
    case 'recency':
      return { ...base, op: '>', values: [30] };
    case 'tag':
      return { ...base, op: 'exists' };
    case 'segment':
      return { ...base, op: 'in_segment' };
  }
}

/** engineField is the engine's field name a condition tests. */
export function engineField(c: Cond): string {
  switch (c.type) {
    case 'attr':
      return c.field;
    case 'orders':
      return `orders:${c.window}`;
    case 'spend':
      return `spend_fen:${c.window}`;
    case 'bought':
      return `bought_category:${c.window}`;
    case 'did':
      return `events:${c.field}:${c.window}`;
    case 'recency':
      return 'days_since:last_order_day';
    case 'tag':
      return `tag:${c.field}`;
    case 'segment':
      return '';
  }
}

/** isSetCond reports whether a condition compares a set of strings. */
export function isSetCond(c: Cond): boolean {
  if (c.type === 'attr') return ATTRIBUTES[c.field] === 'set';
  if (c.type === 'bought') return true;
  if (c.type === 'tag') return c.valueType === 'enum';
  return false;
}

/** complete reports whether a condition has what its operator needs. */
export function complete(c: Cond): boolean {
  if (c.type === 'segment') return c.field !== '';
  if ((c.type === 'did' || c.type === 'tag' || c.type === 'attr') && c.field === '') return false;
  if (c.op === 'exists' || c.op === 'missing') return true;
  if (c.op === 'between') return c.values.length === 2 && c.values.every((v) => v !== '' && v !== null && v !== undefined);
  if (c.op === 'in' || c.op === 'not_in') return c.values.length > 0;
  return c.values.length > 0 && c.values[0] !== '' && c.values[0] !== null && c.values[0] !== undefined;
}

/** toFen turns yuan (up to 2 decimals) into integer fen. */
const toFen = (v: string | number) => Math.round(Number(v) * 100);

function numeric(c: Cond, v: string | number): number {
  return c.type === 'spend' ? toFen(v) : Math.round(Number(v));
}

function condJSON(c: Cond): JsonCond {
  if (c.type === 'segment') return { op: 'in_segment', segment: c.field };
  const field = engineField(c);
  if (c.op === 'exists' || c.op === 'missing') return { op: c.op, field };
  if (isSetCond(c)) return { op: c.op, field, values: c.values.map(String) };
  if (c.op === 'between' || c.op === 'in' || c.op === 'not_in') return { op: c.op, field, values: c.values.map((v) => numeric(c, v)) };
  return { op: c.op, field, value: numeric(c, c.values[0]) };
}

/** Built is a tree's JSON form with the JSON path of every node in it. */
export interface Built {
  /** definition is null while the tree holds no complete condition. */
  definition: JsonCond | null;
  /** paths maps JSON paths ("", "conditions[1]", "conditions[0].condition") to node ids. */
  paths: Map<string, string>;
}

/**
 * toJSON builds the engine's JSON form of a tree. Incomplete conditions and empty
 * groups are left out; a NOT wraps its node in {"op":"not","condition":…}.
 */
export function toJSON(root: Group): Built {
  const paths = new Map<string, string>();
  const walk = (n: Node, path: string): JsonCond | null => {
    const inner = n.not ? (path ? `${path}.condition` : 'condition') : path;
    let out: JsonCond | null;
    if (n.kind === 'cond') {
      if (!complete(n)) return null;
      out = condJSON(n);
    } else {
      const conds: JsonCond[] = [];
      for (const child of n.children) {
        const p = `${inner ? `${inner}.` : ''}conditions[${conds.length}]`;
        const j = walk(child, p);
        if (j) conds.push(j);
      }
      if (conds.length === 0) return null;
      out = { op: n.op, conditions: conds };
    }
    paths.set(path, n.id);
    if (n.not) {
      paths.set(inner, n.id);
      return { op: 'not', condition: out };
    }
    return out;
  };
  const definition = walk(root, '');
  return { definition, paths };
}

/**
 * problemLocation splits a check error the server reports on the whole definition
 * ("conditions[1].field: unknown field \"x\"") into the location of the part it
 * names and the message; other errors are returned as they are.
 */
export function problemLocation(location: string, message: string): { location: string; message: string } {
  if (location !== 'body.definition') return { location, message };
  const m = /^((?:conditions\[\d+\]|condition|field|segment|values?|op)(?:\.(?:conditions\[\d+\]|condition|field|segment|values?(?:\[\d+\])?|op))*): (.+)$/s.exec(message);
  if (!m) return { location, message };
  return { location: `body.definition.${m[1]}`, message: m[2] };
}

/**
 * nodeForLocation finds the node a problem's location names
 * ("body.definition.conditions[1].op" → the node at conditions[1]), or undefined.
 */
export function nodeForLocation(built: Built, location: string): string | undefined {
  const prefix = 'body.definition';
  if (!location.startsWith(prefix)) return undefined;
  let path = location.slice(prefix.length).replace(/^\./, '');
  for (;;) {
    const hit = built.paths.get(path);
    if (hit !== undefined) return hit;
    if (path === '') return undefined;
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    path = cut <= 0 ? '' : path.slice(0, cut);
  }
}

const windowOf = (s: string | undefined): Window | undefined => WINDOWS.find((w) => w === s);

/**
 * fromJSON reads a JSON form back into a tree, or null when the builder cannot show
 * it (a field it does not offer): the text form then edits it.
 */
export function fromJSON(j: JsonCond | null | undefined, tagTypes: Map<string, string> = new Map()): Group | null {
  if (!j) return emptyGroup();
  const node = read(j, tagTypes);
  if (!node) return null;
  if (node.kind === 'group') return node;
  return { ...emptyGroup(), children: [node] };
}

function read(j: JsonCond, tagTypes: Map<string, string>): Node | null {
  if (j.op === 'not') {
    const inner = j.condition ? read(j.condition, tagTypes) : null;
    return inner ? { ...inner, not: !inner.not } : null;
  }
  if (j.op === 'and' || j.op === 'or') {
    const children: Node[] = [];
    for (const c of j.conditions ?? []) {
      const n = read(c, tagTypes);
      if (!n) return null;
      children.push(n);
    }
    return { kind: 'group', id: newId(), not: false, op: j.op, children };
  }
  // On a set (city, an enum tag…) "= x" is "holds x": the builder shows it as "any of".
  const stringy = (j.values ?? [j.value]).some((v) => typeof v === 'string');
  const op = (stringy && j.op === '=' ? 'in' : stringy && j.op === '!=' ? 'not_in' : j.op) as Op;
  const base = { kind: 'cond' as const, id: newId(), not: false, window: '30d' as Window, op };
  if (j.op === 'in_segment') return { ...base, type: 'segment', field: j.segment ?? '', values: [] };
  const field = j.field ?? '';
  const values: (string | number)[] = j.values ?? (j.value !== undefined ? [j.value] : []);
  const parts = field.split(':');
  const yuan = (v: string | number) => Number(v) / 100;
  if (field in ATTRIBUTES) return { ...base, type: 'attr', field, values };
  if (field === 'days_since:last_order_day') return { ...base, type: 'recency', field: '', values };
  if (parts[0] === 'tag' && parts.length === 2) {
    // Before the library loads, string values tell an enum tag and numbers a number tag.
    const guess = values.length === 0 ? undefined : values.some((v) => typeof v === 'string') ? 'enum' : 'number';
    return { ...base, type: 'tag', field: parts[1], values, valueType: tagTypes.get(parts[1]) ?? guess };
  }
  const w = windowOf(parts[parts.length - 1]);
  if (!w) return null;
  if (parts.length === 2 && parts[0] === 'orders') return { ...base, type: 'orders', field: '', window: w, values };
  if (parts.length === 2 && parts[0] === 'spend_fen') return { ...base, type: 'spend', field: '', window: w, values: values.map(yuan) };
  if (parts.length === 2 && parts[0] === 'bought_category') return { ...base, type: 'bought', field: '', window: w, values };
  if (parts.length === 3 && parts[0] === 'events') return { ...base, type: 'did', field: parts[1], window: w, values };
  return null;
}

/** updateNode returns root with the node of id replaced by fn(node). */
export function updateNode(root: Group, id: string, fn: (n: Node) => Node | null): Group {
  const walk = (n: Node): Node | null => {
    if (n.id === id) return fn(n);
    if (n.kind === 'cond') return n;
    const children = n.children.map(walk).filter((c): c is Node => c !== null);
    return { ...n, children };
  };
  return (walk(root) as Group | null) ?? emptyGroup();
}

/** countConds counts the conditions in a tree. */
export function countConds(n: Node): number {
  return n.kind === 'cond' ? 1 : n.children.reduce((s, c) => s + countConds(c), 0);
}
