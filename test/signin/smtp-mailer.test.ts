import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sandbox/sandbox-ports.js';
import { TransientError } from '../../src/errors.js';
import { SmtpMailer } from '../../src/mail/smtp-mailer.js';
import { type MailCatcher, startMailCatcher } from '../emulators/mail-catcher.js';

const smtpDefaults = { security: 'none', sender: 'Provisioner <provisioner@example.test>' } as const;

describe('SMTP mailer', () => {
  let mail: MailCatcher;
  beforeAll(async () => {
    mail = await startMailCatcher();
  });
  afterAll(() => mail?.close());

  it('sends the HTML and text bodies from SMTP_SENDER over SMTP', async () => {
    const mailer = new SmtpMailer({
      smtp: { ...smtpDefaults, host: mail.smtpHost, port: mail.smtpPort },
      readPassword: () => Promise.reject(new Error('no password is configured, so none is read')),
    });
    await mailer.send({ to: 'ada@example.test', subject: 'Hello', text: 'plain', html: '<p>rich</p>' });
    const [received] = await mail.waitForMessage('ada@example.test');
    expect(received).toMatchObject({ subject: 'Hello', from: [{ address: 'provisioner@example.test' }] });
    expect(received?.text).toContain('plain');
    expect(received?.html).toContain('<p>rich</p>');
  });

  it('reads the SMTP password from Key Vault by reference, and reports an unreachable server as transient without it', async () => {
    const port = await freePort();
    const references: string[] = [];
    const mailer = new SmtpMailer({
      smtp: {
        ...smtpDefaults,
        host: '127.0.0.1',
        port,
        username: 'provisioner',
        passwordSecretRef: 'smtp-password',
      },
      readPassword: async (reference) => {
        references.push(reference);
        return 'smtp-password-value-1';
      },
      timeoutInMs: 2_000,
    });
    const failure = await mailer
      .send({ to: 'ada@example.test', subject: 's', text: 't', html: 'h' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as TransientError).service).toBe('smtp');
    expect((failure as Error).message).toMatch(
      new RegExp(`^Sending mail through 127\\.0\\.0\\.1:${port} failed \\(ECONNREFUSED`),
    );
    expect((failure as Error).message).not.toContain('smtp-password-value-1');
    expect(references).toEqual(['smtp-password']);
  });
});
