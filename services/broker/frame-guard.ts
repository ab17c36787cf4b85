/**
 * Reads MQTT fixed headers as bytes arrive and says when a packet is larger than allowed
 * (MQTT 3.1.1 §2.2.3: remaining length, 1 to 4 bytes of 7 bits). aedes 1.x has no packet-size limit,
 * so the embedded broker puts this in front of each connection and drops a client that exceeds it,
 * before the oversize body is buffered.
 */
export class MqttFrameGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxRemainingLength: number) {}

  /** False when the stream holds a packet over the limit, or a malformed length. */
  feed(chunk: Buffer): boolean {
    for (let i = 0; i < chunk.length; i++) {
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const b = chunk[i]!;
        this.length += (b & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if ((b & 0x80) === 0) {
          if (this.length > this.maxRemainingLength) return false;
          this.remaining = this.length;
          this.state = this.remaining > 0 ? 'body' : 'type';
        } else if (this.lengthBytes === 4) {
          return false; // [MQTT-2.2.3] at most four length bytes
        }
      } else {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip - 1;
        if (this.remaining === 0) this.state = 'type';
      }
    }
    return true;
  }
}
