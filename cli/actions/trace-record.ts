import { SystemClock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { pickTraceConfig } from '../../qa/trace/lines.js';
import type { Recording } from '../../qa/trace/record-embedded.js';
import { recordMqtt } from '../../qa/trace/record-mqtt.js';
import { cliLogger } from '../logger.js';
import { liveStatus } from '../progress.js';

export interface RecordCliOptions {
  out: string;
  url: string;
  embedded?: boolean;
  duration?: number;
  username?: string;
  password?: string;
  includeRetained?: boolean;
  progressEvery: number;
}

/** `anshin trace record`: until Ctrl-C / SIGTERM or `--duration`, with a live count of the lines written. */
export async function traceRecord(o: RecordCliOptions): Promise<void> {
  const wall = new SystemClock();
  // The header carries the backend's configuration; from the environment, as the service reads it.
  const config = loadConfig(process.env, { LOG_LEVEL: 'warn' });
  let recording: Recording;
  let close = async () => {};
  if (o.embedded) {
    const [{ startStack }, { recordEmbedded }] = await Promise.all([import('../../services/stack.js'), import('../../qa/trace/record-embedded.js')]);
    const stack = await startStack({ logger: cliLogger() });
    recording = recordEmbedded(stack, o.out);
    close = () => stack.close();
    process.stderr.write(`recording the embedded stack (mqtt ${stack.mqttUrl}, http ${stack.httpUrl}) to ${o.out}; Ctrl-C to stop\n`);
  } else {
    recording = await recordMqtt({ url: o.url, out: o.out, config: pickTraceConfig(config), wallClock: wall, ...(o.username ? { username: o.username, password: o.password ?? '' } : {}), ...(o.includeRetained ? { includeRetained: true } : {}) });
    process.stderr.write(`recording v1/# on ${o.url} to ${o.out}; Ctrl-C to stop\n`);
  }
  const started = wall.now();
  const status = liveStatus(() => `recording: ${recording.lines.toLocaleString('en')} lines in ${Math.round((wall.now() - started) / 1000)} s`, o.progressEvery);
  await new Promise<void>((resolve) => {
    const timer = o.duration !== undefined ? wall.setTimer(o.duration, resolve) : undefined;
    const stop = () => {
      if (timer) wall.clearTimer(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  status.stop();
  await recording.stop(); // flushed: every line written so far is whole
  await close();
  process.stdout.write(`${recording.lines} lines recorded to ${o.out}\n`);
}
