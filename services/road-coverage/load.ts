import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { validator } from '../../protocol/index.js';
import { projectPath } from '../../lib/paths.js';
import { Catalogue } from './catalogue.js';
import { isRealDate, minutesOf } from './japan-time.js';
import { ProgrammeFile, ProgrammeRules, type Programme, type ProgrammeVersion } from './programme-schema.js';
import { locate } from '../../lib/yaml-locate.js';

/** The programmes shipped with the service, found from the sources and from dist/ alike (lib/paths.ts). */
export const PROGRAMMES_DIR = projectPath('services', 'road-coverage', 'programmes');
const EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Programme files that cannot be used, every problem with its place: `file:line:col: message`. */
export class ProgrammeError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'));
    this.name = 'ProgrammeError';
  }
}

const checkFile = validator(ProgrammeFile);
const checkRules = validator(ProgrammeRules);

/** Maps merge key by key; lists and values replace; `null` removes the key. */
function merge(base: unknown, change: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(base) || !isMap(change)) return change;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete out[k];
    else out[k] = merge(base[k], v);
  }
  return out;
}

/** Parses one programme (YAML, or JSON which is YAML too); throws ProgrammeError naming each line. */
export function parseProgramme(text: string, file = '<programme>'): Programme {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProgrammeError(doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })));
  }
  const at = (pointer: string) => {
    const { line, col } = locate(doc, lineCounter, pointer);
    return { file, line, col };
  };
  const written = (pointer: string) => locate(doc, lineCounter, pointer).exact;
  /**
   * The newest version up to `last` whose rules write `path`, or else its nearest parent (a missing
   * required key is reported where its map is written), so the line points at the change to fix.
   */
  const newestWriting = (path: string, last: number): { version: number; written: string } => {
    for (let p = path === '/' ? '' : path; ; p = p.slice(0, p.lastIndexOf('/'))) {
      for (let k = last; k >= 0; k--) if (written(`/versions/${k}/rules${p}`)) return { version: k, written: p };
      if (p === '') return { version: last, written: '' };
    }
  };
  const value: unknown = doc.toJS();
  if (!checkFile.check(value)) throw new ProgrammeError(checkFile.issues(value, 5).map((i) => ({ ...at(i.path), message: `${i.path}: ${i.message}` })));

  const problems: Problem[] = [];
  const problem = (pointer: string, message: string) => problems.push({ ...at(pointer), message: `${pointer}: ${message}` });
  const versions: ProgrammeVersion[] = [];
  const reported = new Set<string>();
  let rules: unknown = {};
  for (const [i, v] of value.versions.entries()) {
    const base = `/versions/${i}`;
    if (!isRealDate(v.effectiveFrom)) problem(`${base}/effectiveFrom`, 'not a real date');
    const before = value.versions[i - 1];
    if (before && v.effectiveFrom <= before.effectiveFrom) problem(`${base}/effectiveFrom`, `must come after ${before.effectiveFrom} (versions oldest first)`);
    rules = merge(rules, v.rules);
    if (!checkRules.check(rules)) {
      // The merged rules name a path; the line is in the newest version that writes it (each mistake
      // once, at the first version that has it, though every later one inherits it).
      for (const issue of checkRules.issues(rules, 5)) {
        const { version, written: place } = newestWriting(issue.path, i);
        const key = `${issue.path} ${issue.message}`;
        if (!reported.has(key)) problems.push({ ...at(`/versions/${version}/rules${place}`), message: `/versions/${version}/rules${issue.path === '/' ? '' : issue.path}: ${issue.message}` });
        reported.add(key);
      }
      continue;
    }
    const tow = rules.tow;
    if (tow && minutesOf(tow.dayStarts) >= minutesOf(tow.nightStarts)) problem(`${base}/rules`, `tow.dayStarts (${tow.dayStarts}) must come before tow.nightStarts (${tow.nightStarts})`);
    versions.push({ effectiveFrom: v.effectiveFrom, ...(v.note ? { note: v.note } : {}), rules: structuredClone(rules) });
  }
  if (problems.length > 0) throw new ProgrammeError(problems);
  return { id: value.id, name: value.name, ...(value.source ? { source: value.source } : {}), file, versions };
}

/** Every programme file in `dir`; the file name is the programme's id. */
export async function loadProgrammes(dir: string = PROGRAMMES_DIR): Promise<Catalogue> {
  const names = (await readdir(dir)).filter((n) => EXTENSIONS.includes(path.extname(n))).sort();
  const programmes: Programme[] = [];
  const errors: ProgrammeError[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const shown = path.relative(process.cwd(), file) || file;
    try {
      const p = parseProgramme(await readFile(file, 'utf8'), shown);
      const id = path.basename(name, path.extname(name));
      if (p.id !== id) throw new ProgrammeError([{ file: shown, line: 1, col: 1, message: `id ${p.id} differs from the file name (${id})` }]);
      if (programmes.some((q) => q.id === id)) throw new ProgrammeError([{ file: shown, line: 1, col: 1, message: `a second file for programme ${id}` }]);
      programmes.push(p);
    } catch (err) {
      if (!(err instanceof ProgrammeError)) throw err;
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new ProgrammeError(errors.flatMap((e) => e.problems));
  if (programmes.length === 0) throw new ProgrammeError([{ file: dir, line: 0, col: 0, message: `no programme files (${EXTENSIONS.join(', ')})` }]);
  return new Catalogue(programmes);
}
