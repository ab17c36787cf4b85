import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Dealer } from '../../../protocol/index.js';
import { projectPath } from '../../../lib/paths.js';
import type { DealerList } from '../domain/destinations.js';

const DealerFile = Type.Object({ about: Type.Optional(Type.String()), dealers: Type.Array(Dealer, { minItems: 1 }) });

/**
 * D4.4: the dealer list transport may go to, as data. The file shipped, `dealers-sample.json`, is SAMPLE
 * DATA (invented dealers at plausible places across Japan); a bad file stops start-up with its path.
 */
export function loadDealers(path = projectPath('services', 'incident', 'dealers', 'dealers-sample.json')): DealerList {
  const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const first = [...Value.Errors(DealerFile, json)][0];
  if (first) throw new Error(`dealer list ${path}: ${first.path || '/'} ${first.message}`);
  const dealers = (json as { dealers: Dealer[] }).dealers;
  const ids = new Set<string>();
  for (const d of dealers) {
    if (ids.has(d.id)) throw new Error(`dealer list ${path}: dealer id ${d.id} appears twice`);
    ids.add(d.id);
  }
  return dealers;
}

/** The list in use (read once, at first import). */
export const DEALERS: DealerList = loadDealers();
