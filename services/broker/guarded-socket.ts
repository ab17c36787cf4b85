import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { MqttFrameGuard } from './frame-guard.js';

/**
 * The client's socket as aedes sees it, with every inbound byte passed through the frame guard first.
 * On an oversize packet the socket is destroyed and `onOversize` is told.
 */
export function guardSocket(socket: Socket, maxPacketBytes: number, onOversize: () => void): Duplex {
  const guard = new MqttFrameGuard(maxPacketBytes);
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    // aedes (mqtt-packet) corks and writes a packet in pieces: one socket write per packet, not one
    // per piece, or Nagle's algorithm holds the tail for the peer's delayed ACK (tens of ms).
    writev(chunks, callback) {
      socket.write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk as Buffer)), callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!guard.feed(chunk)) {
      onOversize();
      socket.destroy();
      return;
    }
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  socket.on('error', (err) => duplex.destroy(err));
  Object.assign(duplex, { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
  return duplex;
}
