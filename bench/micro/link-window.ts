import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { SystemClock } from '../../lib/clock/index.js';
import { startMosquitto } from '../../lib/process/mosquitto.js';
import { MqttLink } from '../../services/incident/mqtt-link.js';

/**
 * Issue 15: the external-broker link on its own. `npx tsx bench/micro/link-window.ts [--messages 1000]
 * [--commit-ms 3] [--rounds 3]`: a Mosquitto, one MqttLink whose handler "commits" in `--commit-ms`
 * (a timer: the store's round trips, no CPU), one publisher sending `--messages` QoS 1 events of as
 * many cars at once. Messages per second through the link with 1 message in flight (the link before
 * issue 15) and with the default window, alternating, in fresh links.
 */
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const messages = arg('messages', 1000);
const commitMs = arg('commit-ms', 3);
const rounds = arg('rounds', 3);

const broker = await startMosquitto({ persistent: false });
try {
  for (let r = 1; r <= rounds; r++) {
    for (const maxInFlight of r % 2 ? [1, 64] : [64, 1]) {
      let handled = 0;
      let concurrent = 0;
      let peak = 0;
      let allDone: () => void = () => {};
      const done = new Promise<void>((resolve) => (allDone = resolve));
      const link = new MqttLink({ url: broker.url, clientId: `link-micro-${r}-${maxInFlight}`, maxInFlight, clock: new SystemClock(), logger: pino({ level: 'silent' }) });
      await link.connect(async () => {
        peak = Math.max(peak, ++concurrent);
        await new Promise((resolve) => setTimeout(resolve, commitMs));
        concurrent--;
        if (++handled === messages) allDone();
      });
      await new Promise((resolve) => setTimeout(resolve, 300)); // its SUBSCRIBE
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: `pub-${r}-${maxInFlight}` });
      const t0 = performance.now();
      for (let i = 0; i < messages; i++) void pub.publishAsync(`v1/vehicles/JANSH000B${String(i).padStart(8, '0')}/events/airbag`, '{}', { qos: 1 });
      await done;
      const s = (performance.now() - t0) / 1000;
      console.log(`round ${r}, ${maxInFlight} in flight: ${messages} messages in ${s.toFixed(2)} s = ${Math.round(messages / s)} msg/s (peak ${peak} in the handler at once)`);
      await pub.endAsync(true);
      await link.close();
    }
  }
} finally {
  await broker.close();
}
