import type { InboundListener } from '../../services/broker/embedded-broker.js';
import type { Stack } from '../../services/stack.js';

interface Held {
  topic: string;
  payload: Buffer;
  clientId: string | null;
  packet: { qos: 0 | 1 | 2; retain: boolean };
  /** Arrival number: keeps one car's messages in the order its connection delivered them. */
  seq: number;
  start(): void;
}

/**
 * Holds car messages between the stack's embedded broker and its ingest, and lets them in one at a time
 * when the recorder says so (fixture recording, `driveScenario`). Cars that publish at the same virtual
 * instant (a storm, a fleet's connects) reach the broker in whatever order the kernel delivers their
 * sockets; the gate lets them in by VIN, then in arrival order per car, so the trace and every id the
 * service mints do not depend on that order. What it does to the car is what a slow ingest does: the
 * PUBACK waits (issue 9: a PUBACK means committed).
 *
 * It wraps `stack.intake.submit` and `stack.broker.publish` on those instances (the broker calls the
 * intake through the object, the service publishes through the broker object), and counts the service's
 * publishes still on their way through the broker, so the recorder knows when all is quiet.
 */
export class InboundGate {
  private readonly queue: Held[] = [];
  private readonly listeners = new Set<InboundListener>();
  private readonly restore: (() => void)[] = [];
  private nextSeq = 0;
  private closed = false;
  /** Let in and not yet committed (or dead-lettered). */
  active = 0;
  /** Service publishes handed to the broker and not yet done. */
  publishing = 0;
  /** Counters for the recorder's progress signature. */
  arrived = 0;
  released = 0;
  published = 0;

  constructor(stack: Pick<Stack, 'broker' | 'intake'>) {
    const broker = stack.broker;
    if (!broker) throw new Error('the inbound gate needs the embedded broker');
    // The broker tells its inbound listeners of a publish and hands it to the intake right after, in the
    // same call (embedded-broker.ts authorizePublish): the listener keeps the packet's details for it.
    let arriving: Omit<Held, 'seq' | 'start'> | undefined;
    this.restore.push(broker.onInbound((topic, payload, clientId, packet) => (arriving = { topic, payload, clientId, packet: { qos: packet.qos, retain: packet.retain } })));

    const intake = stack.intake;
    const submit = intake.submit;
    intake.submit = (topic, payload) => {
      const meta = arriving?.payload === payload ? arriving : { topic, payload, clientId: null, packet: { qos: 1 as const, retain: false } };
      arriving = undefined;
      this.arrived++;
      if (this.closed) return submit.call(intake, topic, payload);
      return new Promise<void>((resolve, reject) => {
        this.queue.push({
          ...meta,
          seq: this.nextSeq++,
          start: () => {
            for (const l of this.listeners) l(meta.topic, meta.payload, meta.clientId, meta.packet);
            this.active++;
            submit.call(intake, topic, payload).then(resolve, reject).finally(() => this.active--);
          },
        });
      });
    };
    this.restore.push(() => (intake.submit = submit));

    const publish = broker.publish;
    broker.publish = (topic, payload, options, done) => {
      this.publishing++;
      this.published++;
      publish.call(broker, topic, payload, options, (err) => {
        this.publishing--;
        done?.(err);
      });
    };
    this.restore.push(() => (broker.publish = publish));
  }

  /** Car messages waiting to be let in. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Told of each car message as it is let in (the trace recorder writes its line then). */
  onInbound(listener: InboundListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lets in the waiting message of the lowest VIN (the earliest of that car); false when none waits. */
  releaseNext(): boolean {
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      if (best < 0 || before(this.queue[i]!, this.queue[best]!)) best = i;
    }
    if (best < 0) return false;
    const [held] = this.queue.splice(best, 1);
    this.released++;
    held!.start();
    return true;
  }

  /** Lets every waiting message in at once and stops holding; undoes the wrapping. */
  close(): void {
    this.closed = true;
    while (this.releaseNext());
    for (const r of this.restore.splice(0)) r();
  }
}

/** `v1/vehicles/{vin}/…` -> vin; anything else sorts by its topic. */
function carOf(topic: string): string {
  const parts = topic.split('/');
  return parts[1] === 'vehicles' && parts[2] ? parts[2] : topic;
}

function before(a: Held, b: Held): boolean {
  const ca = carOf(a.topic);
  const cb = carOf(b.topic);
  return ca !== cb ? ca < cb : a.seq < b.seq;
}
