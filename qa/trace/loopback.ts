import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

interface Connection {
  client?: Socket;
  server?: Socket;
}

/**
 * Watches the TCP connections between this process and itself (cars and HTTP client to the embedded
 * broker and HTTP server, found through Node's `net.client.socket` / `net.server.socket` diagnostics
 * channels) and says how many bytes are on their way: written by one end (`bytesWritten` counts what is
 * still buffered too) and not yet read by the other. Zero means nothing is in transit between the two;
 * the fixture recorder waits for that before it moves the virtual clock.
 *
 * A thousand cars make two thousand sockets, and the recorder asks after every message, so only the
 * connections written to since they were last seen empty are looked at: each watched socket's `write`
 * is wrapped to note its connection (and count, for the progress signature); nothing else changes.
 */
export class LoopbackWatch {
  private readonly byKey = new Map<string, Connection>();
  private readonly ofSocket = new WeakMap<Socket, Connection>();
  /** Connections written to and not yet seen with nothing in transit. */
  private readonly active = new Set<Connection>();
  /** Client sockets not connected yet: we do not know yet whom they talk to. */
  private readonly connecting = new Set<Socket>();
  private readonly ports = new Set<number>();
  private writes = 0;
  private opened = 0;
  private readonly onClient = ({ socket }: { socket: Socket }) => this.addClient(socket);
  private readonly onServer = ({ socket }: { socket: Socket }) => this.addServer(socket);

  constructor() {
    diagnostics.subscribe('net.client.socket', this.onClient as (m: unknown) => void);
    diagnostics.subscribe('net.server.socket', this.onServer as (m: unknown) => void);
  }

  /** Only connections to these local server ports count (others in this process are not ours). */
  watchPorts(...ports: number[]): void {
    for (const p of ports) this.ports.add(p);
  }

  close(): void {
    diagnostics.unsubscribe('net.client.socket', this.onClient as (m: unknown) => void);
    diagnostics.unsubscribe('net.server.socket', this.onServer as (m: unknown) => void);
  }

  /** Bytes written by one end and not yet read by the other, over the watched connections. */
  inFlight(): number {
    let bytes = 0;
    for (const c of this.active) {
      if (!c.client || !c.server) continue; // opening(): the other end is not there yet
      // A connection that has lost either end delivers nothing more: nothing is on its way.
      const n = c.client.destroyed || c.server.destroyed ? 0 : c.client.bytesWritten - c.server.bytesRead + (c.server.bytesWritten - c.client.bytesRead);
      if (n <= 0) this.active.delete(c);
      bytes += Math.max(0, n);
    }
    return bytes;
  }

  /** Connections still being set up: a client not connected yet, or one end not seen yet. */
  opening(): number {
    let n = 0;
    for (const s of this.connecting) if (!s.destroyed) n++;
    for (const c of this.active) {
      const only = c.client && !c.server ? c.client : c.server && !c.client ? c.server : undefined;
      if (only && !only.destroyed) n++;
    }
    return n;
  }

  /** Changes whenever a watched socket is written to or a connection is opened. */
  signature(): string {
    return `${this.writes}/${this.opened}/${this.connecting.size}`;
  }

  private addClient(socket: Socket): void {
    this.connecting.add(socket);
    this.opened++;
    // Not now: `net.connect` publishes the socket, then its `connect()` puts `write` back to the
    // prototype's. It returns before any promise callback runs, and until the socket has connected it
    // counts as opening anyway.
    queueMicrotask(() => this.wrapWrite(socket));
    const settle = () => {
      this.connecting.delete(socket);
      socket.off('connect', onConnect);
      socket.off('close', settle);
    };
    const onConnect = () => {
      settle();
      if (socket.remotePort === undefined || !this.ports.has(socket.remotePort)) return;
      this.join(`${socket.localAddress}:${socket.localPort}`, 'client', socket);
    };
    socket.once('connect', onConnect);
    socket.once('close', settle);
  }

  private addServer(socket: Socket): void {
    if (socket.localPort === undefined || !this.ports.has(socket.localPort)) return;
    this.opened++;
    this.wrapWrite(socket);
    this.join(`${socket.remoteAddress}:${socket.remotePort}`, 'server', socket);
  }

  /** Files the socket under its address pair; a new connection if the old one on the same port has ended. */
  private join(key: string, end: 'client' | 'server', socket: Socket): void {
    let c = this.byKey.get(key);
    if (!c || c.client?.destroyed || c.server?.destroyed || c[end]) this.byKey.set(key, (c = {}));
    c[end] = socket;
    this.ofSocket.set(socket, c);
    this.active.add(c); // what it wrote while connecting, or the other end's first bytes
  }

  /** `end(chunk)` writes without calling `write`, so it is noted too. */
  private wrapWrite(socket: Socket): void {
    const write = socket.write;
    const end = socket.end;
    const touch = () => {
      this.writes++;
      const c = this.ofSocket.get(socket);
      if (c) this.active.add(c);
    };
    socket.write = ((...args: Parameters<Socket['write']>) => {
      touch();
      return write.apply(socket, args);
    }) as Socket['write'];
    socket.end = ((...args: Parameters<Socket['end']>) => {
      touch();
      return end.apply(socket, args);
    }) as Socket['end'];
  }
}
