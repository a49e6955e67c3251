import type { Transporter } from 'nodemailer';
import type { Settings } from '../config/settings.js';
import { PermanentError, TransientError } from '../errors.js';
import type { Mailer, MailMessage } from './mail-message.js';

export interface SmtpMailerOptions {
  smtp: Settings['smtp'];
  /**
   * Reads the SMTP password by its Key Vault reference (SMTP_PASSWORD_SECRET_REF); called once, on the
   * first send. The value must be remembered by the secret scrubber.
   */
  readPassword(secretRef: string): Promise<string>;
  /** Per SMTP command and connection; default 30 s. */
  timeoutInMs?: number;
}

/** SMTP reply codes that mean "this recipient will never be accepted" (RFC 5321 §4.2.2, §4.2.3). */
const refusedRecipientCodes = new Set([550, 551, 553]);

/**
 * Sends mail over SMTP with nodemailer: Azure Communication Services SMTP, Office 365, SendGrid and any
 * relay speak it. `SMTP_SECURITY`: `tls` connects over TLS (465), `starttls` upgrades and
 * refuses a server that cannot (587), `none` sends in clear (a loopback catcher only).
 * @see https://nodemailer.com/smtp/ (secure, requireTLS, ignoreTLS)
 */
export class SmtpMailer implements Mailer {
  readonly #options: SmtpMailerOptions;
  #transport: Promise<Transporter> | undefined;

  constructor(options: SmtpMailerOptions) {
    this.#options = options;
  }

  async send(message: MailMessage): Promise<void> {
    const { smtp } = this.#options;
    const transport = await this.#getTransport();
    try {
      await transport.sendMail({ from: smtp.sender, ...message });
    } catch (error) {
      // nodemailer wraps socket errors as ESOCKET and keeps the system's code (ECONNREFUSED, …) as originalCode.
      const failure = error as {
        responseCode?: number;
        command?: string;
        code?: string;
        originalCode?: string;
      };
      if (failure.command === 'RCPT TO' && refusedRecipientCodes.has(failure.responseCode ?? 0)) {
        throw PermanentError.rejected(
          'INVALID_REQUEST',
          `auth.approver: the mail server refused the address ${message.to} (SMTP ${failure.responseCode}); correct the approver's address.`,
          'auth.approver',
        );
      }
      // The SMTP server's reply is not echoed: it may quote the message. Code and command are enough to act on.
      throw new TransientError(
        'smtp',
        `Sending mail through ${smtp.host}:${smtp.port} failed (${failure.originalCode ?? failure.code ?? 'error'}${failure.responseCode ? ` ${failure.responseCode}` : ''}${failure.command ? ` at ${failure.command}` : ''}).`,
        { cause: error },
      );
    }
  }

  #getTransport(): Promise<Transporter> {
    this.#transport ??= this.#createTransport().catch((error: unknown) => {
      this.#transport = undefined;
      throw error;
    });
    return this.#transport;
  }

  async #createTransport(): Promise<Transporter> {
    const { smtp, readPassword, timeoutInMs = 30_000 } = this.#options;
    const password = smtp.passwordSecretRef ? await readPassword(smtp.passwordSecretRef) : undefined;
    // Loaded on first use: most invocations never send mail (cold start: lazy-load on Consumption,
    // microsoft/azure-skills functions/cold-start.md).
    const { createTransport } = await import('nodemailer');
    return createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === 'tls',
      requireTLS: smtp.security === 'starttls',
      ignoreTLS: smtp.security === 'none',
      connectionTimeout: timeoutInMs,
      greetingTimeout: timeoutInMs,
      socketTimeout: timeoutInMs,
      ...(smtp.username ? { auth: { user: smtp.username, pass: password ?? '' } } : {}),
    });
  }
}
