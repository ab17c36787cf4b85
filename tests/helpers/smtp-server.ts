import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it, parsed (mailparser): what a mailbox would show. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  headers: Map<string, unknown>;
}

/** A real SMTP server (the `smtp-server` package) on a loopback port, recording every message it accepts. */
export interface TestSmtp {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Recipients refused for good at RCPT TO (550). */
  refuse: Set<string>;
  running: boolean;
  waitFor(pred: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Closes the port: connections are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** `port` 0: a free one. No TLS, no AUTH: the gateway connects as to a local relay. */
export async function startTestSmtp(port = 0): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const waiters = new Set<() => void>();
  let server: SMTPServer | null = null;

  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const s = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        authOptional: true,
        logger: false,
        onRcptTo(address, _session, callback) {
          if (refuse.has(address.address)) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          callback();
        },
        onData(stream, session, callback) {
          // The message is recorded before the server answers 250, so whatever the client does after
          // the answer (the gateway's PUBACK) comes after the mail is in `mails`.
          simpleParser(stream).then(
            (parsed) => {
              const text = (parsed.text ?? '').replace(/\n$/, '');
              mails.push({
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                from: parsed.from?.text ?? '',
                to: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? ''),
                subject: parsed.subject ?? '',
                text,
                headers: parsed.headers as Map<string, unknown>,
              });
              for (const w of [...waiters]) w();
              callback();
            },
            (err: Error) => callback(err),
          );
        },
      });
      s.on('error', () => {}); // a client dropping its connection mid-session is no test failure
      s.server.once('error', reject);
      s.listen(p, '127.0.0.1', () => {
        server = s;
        resolve((s.server.address() as AddressInfo).port);
      });
    });

  const actual = await listen(port);
  const t: TestSmtp = {
    url: `smtp://127.0.0.1:${actual}`,
    port: actual,
    mails,
    refuse,
    get running() {
      return server !== null;
    },
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = mails.find(pred);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`smtp: no matching mail within ${timeoutMs} ms (received ${mails.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    async start() {
      if (!server) await listen(actual);
    },
  };
  return t;
}
