import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/process/free-port.js';
import { projectPath } from '../../lib/paths.js';
import { runCli, type CliResult } from '../helpers/sim-cli.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

/** Issue "Foundations", part 10: what a newcomer met on the CLI, each as the real command against a real stack. */
let stack: TestStack;
let closedPort: number;
beforeAll(async () => {
  stack = await startTestStack();
  closedPort = await freePort(); // nothing listens there
});
afterAll(() => stack?.close());

const timed = async (args: string[]): Promise<CliResult & { seconds: number }> => {
  const t0 = performance.now();
  const r = await runCli(args);
  return { ...r, seconds: (performance.now() - t0) / 1000 };
};

describe('anshin sim fire: the case it caused', () => {
  it('prints the id and priority of the case the event opened', async () => {
    const r = await runCli(['sim', 'fire', 'airbag', '--vin', 'JT2AE92E3K0000101', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--wait-ms', '200']);
    expect(r.code, r.stderr).toBe(0);
    const eventId = /^eventId (\S+)$/m.exec(r.stdout)?.[1];
    const id = /^case (\S+) opened: airbag, priority 1$/m.exec(r.stdout)?.[1];
    const open = (await stack.http('GET', '/v1/cases?status=open')).body as { id: string; eventId: string }[];
    expect(open.find((c) => c.eventId === eventId)?.id).toBe(id);
  });

  it('--json carries the case; an event that opens none says so clearly', async () => {
    const sos = await runCli(['sim', 'fire', 'sos', '--vin', 'JT2AE92E3K0000102', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--wait-ms', '200', '--json']);
    expect(sos.code, sos.stderr).toBe(0);
    expect(JSON.parse(sos.stdout)).toMatchObject({ case: { priority: 2 } });
    const bump = await runCli(['sim', 'fire', 'impact', '--delta-v', '3', '--vin', 'JT2AE92E3K0000103', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--wait-ms', '0', '--case-wait-ms', '800']);
    expect(bump.code, bump.stderr).toBe(0);
    expect(bump.stdout).toMatch(/^case: no open case with this eventId at http:\S+ after 0.8 s \(none is opened for an impact under the threshold/m);
  });
});

describe('URLs and reachability', () => {
  it('a URL that is not mqtt:// or mqtts:// is refused at once (exit 2)', async () => {
    const [fire, record] = await Promise.all([
      timed(['sim', 'fire', 'sos', '--vin', 'JT2AE92E3K0000104', '--url', stack.httpUrl]),
      runCli(['trace', 'record', '--out', join(tmpdir(), 'never.ndjson'), '--url', 'ws://127.0.0.1:1883']),
    ]);
    expect(fire.code).toBe(2);
    expect(fire.stderr).toContain('expected an mqtt:// or mqtts:// URL');
    expect(record.code).toBe(2);
    expect(record.stderr).toContain('expected an mqtt:// or mqtts:// URL');
    const env = await runCli(['sim', 'fire', 'sos', '--vin', 'JT2AE92E3K0000104'], { MQTT_URL: 'http://127.0.0.1:1883' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('(from MQTT_URL)');
  });

  it('an unreachable broker fails fast (exit 1) with a hint to start the stack', async () => {
    const r = await timed(['sim', 'fire', 'sos', '--vin', 'JT2AE92E3K0000105', '--url', `mqtt://127.0.0.1:${closedPort}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no connection to the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+ \(connection refused\)\. Is the stack running\? Start it with `npm start`/);
    expect(r.seconds).toBeLessThan(5); // measured well under 2 s; the bound is loose for a loaded machine
  });

  it('the HTTP port given as the broker is named for what it is, fast (exit 1)', async () => {
    const r = await timed(['sim', 'fire', 'sos', '--vin', 'JT2AE92E3K0000108', '--url', stack.httpUrl.replace(/^http/, 'mqtt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('an HTTP server answers there; the broker has a port of its own');
    expect(r.seconds).toBeLessThan(5);
  });

  it('sim run checks the API before its steps: unreachable, exit 1 with the hint', async () => {
    const r = await timed(['sim', 'run', 'sos-illness', '--url', stack.mqttUrl, '--http-url', `http://127.0.0.1:${closedPort}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no answer from the anshin HTTP API at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)\. Is the stack running\? Start it with `npm start`/);
    expect(r.stdout).toBe(''); // no step ran
    expect(r.seconds).toBeLessThan(5);
  });
});

describe('scenarios', () => {
  it('sim scenarios: one line each with the rules and the first sentence of its description', async () => {
    const r = await runCli(['sim', 'scenarios']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // One line per scenario file: counted from the folder, not written down here.
    const files = (await readdir(projectPath('simulator', 'scenarios'))).filter((f) => /\.ya?ml$/.test(f));
    expect(lines).toHaveLength(files.length);
    expect(lines.find((l) => l.startsWith('sos-illness '))).toMatch(/^sos-illness +D1\.3 D2\.5 D2\.6 D3\.2 +A driver on the Meishin feels ill, stops and presses the SOS button\.$/);
  });

  it('an unknown scenario suggests the nearest name (exit 2)', async () => {
    const r = await runCli(['sim', 'run', 'highway-airbag', '--url', stack.mqttUrl, '--http-url', stack.httpUrl]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown scenario "highway-airbag"; did you mean highway-airbag-no-response?');
  });
});

describe('progress without a terminal', () => {
  it('sim drive prints where the car is every --progress-every, then where it ended', async () => {
    const r = await runCli(['sim', 'drive', '--vin', 'JT2AE92E3K0000106', '--route', 'tomei', '--url', stack.mqttUrl, '--duration', '2500ms', '--progress-every', '1s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/^\d+\/3 s: km \d+\.\d\d after .+; telemetry sent \d+$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/^JT2AE92E3K0000106 on Tomei Expressway .*: km \d+\.\d\d after .*; telemetry sent \d+$/m);
  });

  it('trace record counts the lines it has written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anshin-record-'));
    try {
      const out = join(dir, 'run.ndjson');
      const recording = runCli(['trace', 'record', '--out', out, '--url', stack.mqttUrl, '--duration', '3s', '--progress-every', '1s']);
      const car = await stack.car('JT2AE92E3K0000107');
      await car.sendTelemetry();
      const r = await recording;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(/^recording: \d+ lines in \d+ s$/gm)?.length).toBeGreaterThanOrEqual(2);
      const n = Number(/^(\d+) lines recorded to /m.exec(r.stdout)?.[1]);
      expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(n + 1); // + the header
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
