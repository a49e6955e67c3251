import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../emulators/mail-catcher.js';

describe('SMTP catcher', () => {
  let mail: MailCatcher;
  beforeAll(async () => {
    mail = await startMailCatcher();
  });
  afterAll(() => mail.close());

  it('receives mail sent over SMTP with nodemailer and lists it with text and HTML bodies', async () => {
    const transport = nodemailer.createTransport({
      host: mail.smtpHost,
      port: mail.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'provisioner@example.test',
      to: 'admin@example.test',
      subject: 'Sign in to approve',
      text: 'plain body',
      html: '<p>html body</p>',
    });
    const [received] = await mail.waitForMessage('admin@example.test');
    expect(received?.subject).toBe('Sign in to approve');
    expect(received?.text).toContain('plain body');
    expect(received?.html).toContain('<p>html body</p>');
    await mail.clear();
    expect(await mail.messages()).toEqual([]);
  });
});
