import type { CoverageProgrammeList } from '../../protocol/index.js';
import { inJapan } from './japan-time.js';
import type { Programme, ProgrammeVersion } from './programme-schema.js';

/** The version in force on a Japan date: the last one effective on or before it. */
export function versionAt(programme: Programme, japanDate: string): ProgrammeVersion | undefined {
  return programme.versions.findLast((v) => v.effectiveFrom <= japanDate);
}

/** The programmes loaded, by id (load.ts builds it from the files). */
export class Catalogue {
  private readonly byId: Map<string, Programme>;

  constructor(programmes: Programme[]) {
    this.byId = new Map(programmes.map((p) => [p.id, p]));
  }

  get(id: string): Programme | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** `GET /v1/coverage/programmes`: each programme, its versions, and the one in force at `nowMs`. */
  list(nowMs: number): CoverageProgrammeList {
    const today = inJapan(nowMs).date;
    return {
      programmes: [...this.byId.values()].map((p) => ({
        id: p.id,
        name: p.name,
        ...(p.source ? { source: p.source } : {}),
        versions: p.versions.map((v) => ({ effectiveFrom: v.effectiveFrom, ...(v.note ? { note: v.note } : {}) })),
        inForce: versionAt(p, today)?.effectiveFrom ?? null,
      })),
    };
  }
}
