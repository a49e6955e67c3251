import { MailDev } from 'maildev';

export interface CaughtMail {
  id: string;
  subject: string;
  from: Array<{ address: string; name: string }>;
  to: Array<{ address: string; name: string }>;
  text?: string;
  html?: string;
  headers: Record<string, string>;
}

export interface MailCatcher {
  smtpHost: string;
  smtpPort: number;
  /** `GET` lists received mail as JSON (maildev 3 REST API, `/api/email`). */
  listUrl: string;
  messages(): Promise<CaughtMail[]>;
  /** Polls until a message to `address` arrives. */
  waitForMessage(address: string, options?: { timeoutInMs?: number; count?: number }): Promise<CaughtMail[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An SMTP server that keeps what it receives: maildev 3 in-process (ESM API; its REST API moved to
 * `/api/email` in v3, observed with maildev 3.0.0). Both servers bind 127.0.0.1.
 */
export async function startMailCatcher(
  options: { smtpPort?: number; apiPort?: number } = {},
): Promise<MailCatcher> {
  const maildev = new MailDev({
    smtp: options.smtpPort ?? 0,
    ip: '127.0.0.1',
    web: options.apiPort ?? 0,
    webIp: '127.0.0.1',
    silent: true,
  });
  const servers = (await maildev.start()) as unknown as {
    smtp: { smtp: { server: { address(): { port: number } } } };
    api: { boundAddress: { port: number } };
  };
  const apiUrl = `http://127.0.0.1:${servers.api.boundAddress.port}`;
  const listUrl = `${apiUrl}/api/email`;
  const messages = async (): Promise<CaughtMail[]> => (await (await fetch(listUrl)).json()) as CaughtMail[];
  return {
    smtpHost: '127.0.0.1',
    smtpPort: servers.smtp.smtp.server.address().port,
    listUrl,
    messages,
    async waitForMessage(address, { timeoutInMs = 10_000, count = 1 } = {}) {
      const deadline = Date.now() + timeoutInMs;
      for (;;) {
        const found = (await messages()).filter((mail) => mail.to.some((to) => to.address === address));
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`No mail to ${address} within ${timeoutInMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async clear() {
      await fetch(`${apiUrl}/api/email/all`, { method: 'DELETE' });
    },
    close: () => maildev.stop(),
  };
}
