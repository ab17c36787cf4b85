import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/sim-cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/**
 * Issue "Foundations", part 8: `anshin` starts from the compiled JavaScript in dist/ and loads a
 * command's modules only when that command runs. (How fast: `bench` and the README, not a timed test.)
 */
describe('anshin: the compiled CLI', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const cmd of ['start', 'demo', 'sim', 'trace', 'bench', 'chaos', 'mail-gateway', 'help']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
  });

  it('a subcommand --help shows its own options: sim fire, trace replay, chaos', async () => {
    const [fire, replay, chaos] = await Promise.all([runCli(['sim', 'fire', '--help']), runCli(['trace', 'replay', '--help']), runCli(['chaos', '--help'])]);
    expect(fire.code, fire.stderr).toBe(0);
    expect(fire.stdout).toContain('Usage: anshin sim fire [options] <type>');
    expect(fire.stdout).toMatch(/airbag, impact, sos, trouble, power,\s+security-alarm/);
    expect(fire.stdout).toContain('--http-url <url>');
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('Usage: anshin trace replay [options] <file>');
    expect(chaos.code, chaos.stderr).toBe(0);
    expect(chaos.stdout).toContain('--scenarios <list>');
  });

  it('`help <command>` shows the subcommands of a command defined only when used', async () => {
    const r = await runCli(['help', 'trace']);
    expect(r.code, r.stderr).toBe(0);
    for (const sub of ['record', 'replay', 'generate', 'fixtures']) expect(r.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it('an unknown command is a usage error with a suggestion (exit 2)', async () => {
    const r = await runCli(['sim', 'fier']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'fier'[\s\S]*Did you mean fire\?/);
  });

  describe('modules loaded', () => {
    let dir: string;
    beforeAll(async () => {
      // Records every ESM resolution (node:module register hooks, a public API) to a file.
      dir = await mkdtemp(join(tmpdir(), 'anshin-imports-'));
      await writeFile(join(dir, 'hooks.mjs'), "import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.IMPORT_LOG, r.url + '\\n'); return r; }\n");
      await writeFile(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    async function loaded(args: string[]): Promise<string[]> {
      const log = join(dir, `${args.join('-')}.log`);
      await run(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, 'bin/anshin.js', ...args], { cwd: ROOT, env: { ...process.env, IMPORT_LOG: log } });
      const root = pathToFileURL(ROOT).href;
      return [...new Set((await readFile(log, 'utf8')).split('\n').filter((u) => u.startsWith(root)).map((u) => u.slice(root.length + 1)))];
    }

    it('--help loads commander and the registrars only', async () => {
      const files = await loaded(['--help']);
      const ours = files.filter((f) => !f.startsWith('node_modules/'));
      expect(ours.sort()).toEqual(['bin/anshin.js', ...['bench', 'chaos', 'coverage', 'errors', 'lazy', 'mail-gateway', 'main', 'program', 'serve', 'sim', 'trace'].map((f) => `dist/cli/${f}.js`)].sort());
      expect(files.filter((f) => f.startsWith('node_modules/')).every((f) => f.startsWith('node_modules/commander/'))).toBe(true);
    });

    it('sim fire --help loads no MQTT client, web server, service or TypeBox compiler', async () => {
      const files = await loaded(['sim', 'fire', '--help']);
      expect(files.filter((f) => /node_modules\/(mqtt|fastify|aedes|ioredis|pino|yaml)\/|typebox\/build\/esm\/compiler|dist\/services\/|dist\/simulator\/car\/car\.js|dist\/qa\//.test(f))).toEqual([]);
    });
  });

  it('without dist/ the bin says to build, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anshin-nobuild-'));
    try {
      await mkdir(join(dir, 'bin'));
      await copyFile(join(ROOT, 'bin/anshin.js'), join(dir, 'bin/anshin.js'));
      await writeFile(join(dir, 'package.json'), '{"type":"module"}');
      const r = await run(process.execPath, [join(dir, 'bin/anshin.js'), '--help']).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('run `npm run build`');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lib/paths.ts finds the project root from the sources and from dist/', async () => {
    const { PROJECT_ROOT, COMPILED } = await import('../../lib/paths.js');
    expect([PROJECT_ROOT, COMPILED]).toEqual([ROOT, false]);
    const { stdout } = await run(process.execPath, ['-e', "import('./dist/lib/paths.js').then((m) => console.log(JSON.stringify([m.PROJECT_ROOT, m.COMPILED, m.serverEntryArgs()])))"], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual([ROOT, true, [join(ROOT, 'dist/cli/start.js')]]);
  });
});
