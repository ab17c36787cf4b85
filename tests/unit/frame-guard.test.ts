import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MqttFrameGuard } from '../../services/broker/frame-guard.js';

/** MQTT 3.1.1 §2.2.3 remaining length: 7 bits a byte, least significant first, high bit = more. */
function encodeLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A packet: fixed header byte (PUBLISH QoS 1 unless told), remaining length, then that many body bytes. */
function packet(bodyLength: number, type = 0x32): Buffer {
  return Buffer.concat([Buffer.from([type, ...encodeLength(bodyLength)]), Buffer.alloc(bodyLength, 0xab)]);
}

/** Feeds the chunks in order; false as soon as the guard refuses one (the socket is destroyed then). */
function feedAll(guard: MqttFrameGuard, chunks: Buffer[]): boolean {
  for (const c of chunks) if (!guard.feed(c)) return false;
  return true;
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(buf.length, c))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  out.push(buf.subarray(from));
  return out;
}

/** A small limit keeps the every-boundary loops quick; the lengths still cover 1- to 3-byte encodings. */
const MAX = 20_000;

describe('MqttFrameGuard (embedded broker packet-size limit)', () => {
  // Lengths around every boundary of the 1- to 3-byte encodings, a PINGREQ, and one at the limit exactly.
  const stream = Buffer.concat([
    packet(12, 0x10), // CONNECT
    packet(0, 0xc0), // PINGREQ
    packet(1),
    packet(127),
    packet(128),
    packet(16_383),
    packet(16_384),
    packet(0, 0xe0), // DISCONNECT
    packet(MAX),
    packet(2),
  ]);

  it('accepts legal packets split into two chunks at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const guard = new MqttFrameGuard(MAX);
      expect(feedAll(guard, [stream.subarray(0, cut), stream.subarray(cut)]), `cut at ${cut}`).toBe(true);
    }
  });

  it('accepts legal packets fed one byte at a time', () => {
    const guard = new MqttFrameGuard(MAX);
    for (let i = 0; i < stream.length; i++) expect(guard.feed(stream.subarray(i, i + 1)), `byte ${i}`).toBe(true);
  });

  it('rejects a remaining length one over the limit, wherever the stream is split, before the body arrives', () => {
    const header = Buffer.from([0x30, ...encodeLength(MAX + 1)]);
    const head = packet(300);
    const bad = Buffer.concat([head, header]);
    for (let cut = 0; cut <= bad.length; cut++) {
      const guard = new MqttFrameGuard(MAX);
      expect(feedAll(guard, [bad.subarray(0, cut), bad.subarray(cut)]), `cut at ${cut}`).toBe(false);
    }
    // The limit itself is allowed.
    expect(new MqttFrameGuard(MAX).feed(Buffer.from([0x30, ...encodeLength(MAX)]))).toBe(true);
  });

  it('rejects a 5-byte remaining length, even with the largest limit; accepts the largest 4-byte one', () => {
    const largest = 268_435_455; // 0xFF 0xFF 0xFF 0x7F
    expect(encodeLength(largest)).toEqual([0xff, 0xff, 0xff, 0x7f]);
    expect(new MqttFrameGuard(largest).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBe(true);
    const fiveBytes = Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]);
    for (let cut = 0; cut <= fiveBytes.length; cut++) {
      expect(feedAll(new MqttFrameGuard(largest), [fiveBytes.subarray(0, cut), fiveBytes.subarray(cut)]), `cut at ${cut}`).toBe(false);
    }
    // Byte by byte, it is refused at the fourth continuation byte, before a fifth comes.
    const guard = new MqttFrameGuard(largest);
    expect([...fiveBytes.subarray(0, 5)].map((b) => guard.feed(Buffer.from([b])))).toEqual([true, true, true, true, false]);
  });

  it('property: any sequence of legal packets, split anywhere, is accepted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 4096 }),
        fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat({ max: 200_000 }), { maxLength: 20 }),
        (max, lengths, cuts) => {
          const bytes = Buffer.concat(lengths.map((n) => packet(n % (max + 1))));
          return feedAll(new MqttFrameGuard(max), splitAt(bytes, cuts.map((c) => c % (bytes.length + 1))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: one packet over the limit anywhere in the stream is refused, however it is split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 4096 }),
        fc.array(fc.nat({ max: 5000 }), { maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.nat({ max: 200_000 }), { maxLength: 20 }),
        (max, lengths, at, over, cuts) => {
          const packets = lengths.map((n) => packet(n % (max + 1)));
          packets.splice(at % (packets.length + 1), 0, packet(max + over));
          const bytes = Buffer.concat(packets);
          return !feedAll(new MqttFrameGuard(max), splitAt(bytes, cuts.map((c) => c % (bytes.length + 1))));
        },
      ),
      { numRuns: 300 },
    );
  });
});
