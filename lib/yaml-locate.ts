import { isMap, isNode, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/**
 * Line and column of the node a JSON pointer names in a YAML document (the key itself for the last
 * step, so `unknown property` points at the misspelt key), or of the deepest node that exists on the
 * way, with `exact: false`. Shared by the YAML loaders (scenarios, road-service programmes), whose
 * errors name `file:line:col`.
 */
export function locate(doc: Document, lc: LineCounter, pointer: string): { line: number; col: number; exact: boolean } {
  const keys = pointer === '' || pointer === '/' ? [] : pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc.contents;
  let target: unknown = node;
  let exact = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      if (!pair) {
        exact = false;
        break;
      }
      target = i === keys.length - 1 && isNode(pair.key) ? pair.key : (pair.value ?? pair.key);
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (item === undefined) {
        exact = false;
        break;
      }
      target = item;
      node = item;
    } else {
      exact = false;
      break;
    }
  }
  const range = isNode(target) ? target.range : undefined;
  const pos = lc.linePos(range?.[0] ?? 0);
  return { line: pos.line, col: pos.col, exact };
}
