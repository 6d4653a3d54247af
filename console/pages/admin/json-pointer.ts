import { ensureSyntaxTree, syntaxTree } from '@codemirror/language';
import type { EditorState } from '@codemirror/state';
import type { SyntaxNode, Tree } from '@lezer/common';

/** Node names of JSON values in the lezer JSON grammar. */
const VALUES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

/** Where a problem goes in the text: a range, and whether the pointer's node exists itself. */
export interface PointerRange {
  from: number;
  to: number;
  /** False when the pointer named a node that is missing, and an ancestor stands in for it. */
  exact: boolean;
}

/** The whole document's syntax tree (parsed to the end, which a JSON definition affords). */
function fullTree(state: EditorState): Tree {
  return ensureSyntaxTree(state, state.doc.length, 1000) ?? syntaxTree(state);
}

/** The segments of a JSON Pointer (RFC 6901); "" and "/" both name the root. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The pointer into the editor's text for a path the API gave for the request body, or null when
 * the path is about another part of the body (the mapping, the languages). The validation
 * endpoint prefixes definition paths with `/definition`.
 */
export function definitionPointer(path: string): string | null {
  if (path === '/definition') return '';
  if (path.startsWith('/definition/')) return path.slice('/definition'.length);
  return null;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function propertyKey(state: EditorState, name: SyntaxNode): string {
  const raw = state.doc.sliceString(name.from, name.to);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.replace(/^"|"$/g, '');
  }
}

/** The value of a Property node (its last child that is a value). */
function propertyValue(property: SyntaxNode): SyntaxNode | null {
  const parts = children(property).filter((c) => VALUES.has(c.name));
  return parts[parts.length - 1] ?? null;
}

/** Keeps a range that spans lines to its first line: a whole page marked red helps nobody. */
function firstLine(state: EditorState, from: number, to: number): { from: number; to: number } {
  const line = state.doc.lineAt(from);
  return { from, to: Math.max(from, Math.min(to, line.to)) };
}

/**
 * The range in the text of the node a JSON Pointer names: for an object member, its name and
 * value; for an array item, the item. When the node is missing, the nearest ancestor that exists.
 */
export function pointerRange(state: EditorState, pointer: string): PointerRange {
  const top = fullTree(state).topNode;
  let node: SyntaxNode | null = children(top).find((c) => VALUES.has(c.name)) ?? null;
  if (!node) return { from: 0, to: 0, exact: false };
  let marked: { from: number; to: number } = node;
  for (const segment of pointerSegments(pointer)) {
    let next: SyntaxNode | null = null;
    let mark: { from: number; to: number } | null = null;
    if (node.name === 'Object') {
      const property = children(node)
        .filter((c) => c.name === 'Property')
        .find((p) => {
          const name = p.getChild('PropertyName');
          return name !== null && propertyKey(state, name) === segment;
        });
      if (property) {
        next = propertyValue(property);
        mark = property;
      }
    } else if (node.name === 'Array' && /^(0|[1-9][0-9]*)$/.test(segment)) {
      next = children(node).filter((c) => VALUES.has(c.name))[Number(segment)] ?? null;
      mark = next;
    }
    if (!next || !mark) return { ...firstLine(state, marked.from, marked.to), exact: false };
    node = next;
    marked = mark;
  }
  return { ...firstLine(state, marked.from, marked.to), exact: true };
}

/**
 * Where JSON.parse stopped, in the text: the position its message gives (V8 and Firefox say it
 * in different words), else the first syntax error the lezer parser found, else the end.
 */
export function syntaxErrorPosition(state: EditorState, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const doc = state.doc;
  let m = /at position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), doc.length);
  m = /line (\d+) column (\d+)/.exec(message);
  if (m && Number(m[1]) <= doc.lines)
    return Math.min(doc.line(Number(m[1])).from + Number(m[2]) - 1, doc.length);
  let found = -1;
  fullTree(state).iterate({
    enter(node) {
      if (found >= 0) return false;
      if (node.type.isError) found = node.from;
      return undefined;
    },
  });
  return found >= 0 ? found : doc.length;
}
