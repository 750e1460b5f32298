import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './errors.js';

/**
 * Maps a path in the parsed configuration back to its line in the YAML text, so every error can say
 * where to look. A path that does not exist (a missing required field) gets the line of its nearest
 * existing parent; a path that does (an unknown key, a wrong value) gets the line of its key.
 */
export type LineLocator = (segments: readonly PathSegment[]) => number | undefined;

export function createLineLocator(doc: Document, lines: LineCounter): LineLocator {
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;

  return (segments) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const seg of segments) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return line ?? lineAt(node as Node);
        line = lineAt(pair.key as Node) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return line ?? lineAt(node as Node);
        line = lineAt(item as Node) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  };
}
