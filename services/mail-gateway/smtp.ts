import { createTransport } from 'nodemailer';
import type { OutboxEmail } from '../../protocol/index.js';

export interface SmtpOptions {
  /** `smtp://host:port` or `smtps://user:pass@host:port` (nodemailer's connection URL). */
  url: string;
  from: string;
  /** Connection, greeting and per-command timeout. */
  timeoutMs: number;
}

/** How a delivery failed: `permanent` when the server refused this recipient or message for good. */
export class SmtpFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly detail: { smtpCode?: string; command?: string; responseCode?: number },
  ) {
    super(message);
    this.name = 'SmtpFailure';
  }
}

interface NodemailerError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
}

/**
 * Permanent: a 5xx answer to RCPT TO or DATA (this address or this message is refused: 550 no such
 * mailbox, 552 too large, 554 refused), or an address nodemailer itself cannot use. Everything else is
 * the server's state or ours and may change: no connection, a timeout, a 4xx ("try again later"), and
 * also a 5xx to the greeting, EHLO, AUTH or MAIL FROM, which would refuse every message alike (a
 * misconfigured sender or login): dropping them all would lose them, so they wait for the fix.
 */
export function classify(err: NodemailerError): SmtpFailure {
  const detail = { ...(err.code ? { smtpCode: err.code } : {}), ...(err.command ? { command: err.command } : {}), ...(err.responseCode ? { responseCode: err.responseCode } : {}) };
  const refused = err.responseCode !== undefined && err.responseCode >= 500 && (err.command === 'RCPT TO' || err.command === 'DATA');
  const unusable = err.code === 'EENVELOPE' && err.command === 'API';
  return new SmtpFailure(err.message, refused || unusable, detail);
}

/** One SMTP connection per message (no pool): nothing is held open while the outbox is quiet. */
export class SmtpSender {
  private readonly transport;

  constructor(private readonly opts: SmtpOptions) {
    this.transport = createTransport({ url: opts.url, connectionTimeout: opts.timeoutMs, greetingTimeout: opts.timeoutMs, socketTimeout: opts.timeoutMs });
  }

  /** Resolves once the server accepted the message (250 after DATA); rejects with an SmtpFailure. */
  async send(email: OutboxEmail): Promise<{ messageId: string; response: string }> {
    try {
      const info = await this.transport.sendMail({
        from: this.opts.from,
        to: email.to,
        subject: email.subject,
        text: email.body,
        headers: { 'X-Anshin-Kind': email.kind },
      });
      return { messageId: info.messageId, response: info.response };
    } catch (err) {
      throw classify(err as NodemailerError);
    }
  }

  close(): void {
    this.transport.close();
  }
}
