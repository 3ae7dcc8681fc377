import { LineCounter, isMap, isNode, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import type { SourcePosition } from './diagnostic.ts';

/**
 * One YAML document with the means to point back into its file: every lint
 * message names a line, so positions are kept rather than thrown away by a
 * plain `YAML.parse`.
 */
export interface YamlDocument {
  value: unknown;
  /** Position of the node at `path`, or of its closest existing ancestor. */
  locate(path: readonly PropertyKey[]): SourcePosition;
  /** Position of the start of this document in the file. */
  start: SourcePosition;
}

export interface YamlSyntaxError {
  message: string;
  position: SourcePosition;
}

export type YamlParseResult =
  | { ok: true; documents: YamlDocument[] }
  | { ok: false; errors: YamlSyntaxError[] };

/**
 * Parses every document in `text`. `lineOffset` shifts reported lines, for
 * YAML that is embedded in another file (MDX frontmatter starts on line 2).
 */
export function parseYamlDocuments(text: string, lineOffset = 0): YamlParseResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPosition = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + lineOffset, column: col };
  };
  const list = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((doc) =>
    [...doc.errors, ...(doc.warnings ?? [])]
      .filter((e) => e.name === 'YAMLParseError')
      .map((e) => ({ message: shorten(e.message), position: toPosition(e.pos[0]) })),
  );
  // Later errors are usually echoes of the first one; report the cause only.
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, 1) };
  return {
    ok: true,
    documents: list
      .filter((doc) => doc.contents !== null || list.length === 1)
      .map((doc) => ({
        value: doc.toJS({ maxAliasCount: 100 }),
        locate: (path) => toPosition(offsetOf(doc, path)),
        start: toPosition(contentStart(doc)),
      })),
  };
}

/**
 * Offset of the field at `path`: its key for a mapping entry (a block value
 * starts on the next line, but the reader looks for the key), the item itself
 * for a sequence entry. A missing field falls back to its closest ancestor.
 */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = doc.getIn(path.slice(0, depth - 1) as unknown[], true);
    const key = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    } else if (isSeq(parent) && typeof key === 'number') {
      const item = parent.items[key];
      if (isNode(item) && item.range) return item.range[0];
    }
  }
  return contentStart(doc);
}

function contentStart(doc: Document): number {
  return (isNode(doc.contents) && doc.contents.range?.[0]) || (doc.range?.[0] ?? 0);
}

function shorten(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}
