import type { EventEmitter } from 'node:events';
import type { Client, ConnectPacket, Subscription } from 'aedes';
import { connectRefusal, CONNACK } from './broker-auth.js';

/** The placeholder a too-deep filter is given on its way through aedes (never a real subscription). */
const TOO_DEEP = '$anshin/too-deep';

/**
 * Two MQTT 3.1.1 conformance faults of aedes 1.2.0, found by a conformance run and fixed in front of it
 * (issue 11), whatever AUTH says:
 * - [MQTT-3.1.3-8] a CONNECT with an empty client id and CleanSession=0 must get CONNACK 0x02
 *   (identifier rejected); aedes accepts it under a made-up id (moscajs/aedes#1095).
 * - a SUBSCRIBE filter deeper than `maxTopicLevels` is a valid filter the server does not take: it
 *   must get 0x80 in the SUBACK ([MQTT-3.8.4-5]: a return code for each filter, 0x80 for failure) and the connection stays;
 *   aedes' topic check fails the whole packet and drops the client. The filter is swapped for a
 *   placeholder before aedes reads the packet, and `refusedFilter` tells `authorizeSubscribe` to
 *   refuse it. An UNSUBSCRIBE of such a filter is answered as one of a filter never subscribed.
 * - [MQTT-3.2.0-1] the first packet the server sends is the CONNACK: aedes restores a persistent
 *   session's subscriptions before it writes the CONNACK, and a message arriving in between (over
 *   mqemitter-redis in a cluster, tens of ms under load) was written first; MQTT.js then never saw a
 *   CONNACK it accepted ("connack timeout", found by tests/integration/broker-cluster.test.ts).
 *   `forwardBeforeConnack` holds such a message back: for a QoS 1/2 subscription of a persistent session
 *   it is already in the session's queue (aedes enqueues before it emits), and the queue is sent right
 *   after the CONNACK; a QoS 0 message to a client not yet connected is one it may miss.
 *   `connackWritten` is that guard, for aedes `authorizeForward` (aedes calls it again for the queue,
 *   after the CONNACK, where it passes).
 */
export class Conformance {
  private readonly persistentWithoutId = new WeakSet<Client>();
  private readonly tooDeep = new WeakSet<Subscription>();

  constructor(private readonly maxTopicLevels: number) {}

  /** aedes `preConnect`: sees the CONNECT before aedes invents a client id for an empty one. */
  preConnect(client: Client, packet: ConnectPacket, callback: (err: Error | null, ok: boolean) => void): void {
    if (!packet.clientId && !packet.clean) this.persistentWithoutId.add(client);
    callback(null, true);
  }

  /** The CONNACK refusal this client's CONNECT earns before anything else is looked at, or null. */
  connectRefusal(client: Client): Error | null {
    // [MQTT-3.1.3-8]
    return this.persistentWithoutId.has(client) ? connectRefusal(CONNACK.identifierRejected, 'empty client id with CleanSession=0') : null;
  }

  /** Call with each new aedes client, before it reads a packet. */
  watch(client: Client): void {
    const parser = (client as unknown as { _parser?: EventEmitter })._parser;
    if (!parser) throw new Error('aedes client without a packet parser: conformance fixes cannot be installed');
    parser.prependListener('packet', (packet: { cmd: string; subscriptions?: Subscription[]; unsubscriptions?: string[] }) => {
      if (packet.cmd === 'subscribe' && packet.subscriptions) {
        packet.subscriptions.forEach((sub, i) => {
          if (levels(sub.topic) <= this.maxTopicLevels) return;
          this.tooDeep.add(sub);
          sub.topic = `${TOO_DEEP}/${i}`; // unique: aedes keeps one of two equal filters in a packet
        });
      } else if (packet.cmd === 'unsubscribe' && packet.unsubscriptions) {
        packet.unsubscriptions = packet.unsubscriptions.map((t) => (levels(t) > this.maxTopicLevels ? TOO_DEEP : t));
      }
    });
  }

  /** True for a filter swapped by `watch`: answer it with 0x80. */
  refusedFilter(sub: Subscription): boolean {
    return this.tooDeep.has(sub);
  }
}

/** [MQTT-3.2.0-1] guard: false while the client's CONNACK is not written yet (aedes' own flag). */
export function connackWritten(client: Client): boolean {
  return (client as unknown as { connackSent?: boolean }).connackSent === true;
}

function levels(topic: string): number {
  let n = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) n++;
  return n;
}
