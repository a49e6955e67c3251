import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/sandbox/sandbox-ports.js';
import { cliEnvironment, runCli } from '../cli/run-cli.js';
import { testCertDir } from '../emulators/shared/https-server.js';
import { type HostProcess, startHostProcess } from '../host/process/host-process.js';
import { type LocalCloud, startLocalCloud } from '../local-cloud/start-local-cloud.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
const chromiumPath = '/usr/bin/chromium';

/**
 * The SPKI hash of the local cloud's TLS certificate, so Chromium trusts exactly that key (the Entra
 * stand-in's https pages) and nothing else: `--ignore-certificate-errors-spki-list`, which Chromium honours
 * only with its own `--user-data-dir` (a persistent context gives it one).
 */
function testCertificateSpkiHash(): string {
  const certificate = new X509Certificate(readFileSync(join(testCertDir, 'server.pem')));
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * The whole U2M path as people and pipelines meet it: `ucprov submit` as its own process → Service Bus →
 * the local function host running the real functions → an email in the SMTP catcher → the approver opens
 * the link in a real Chromium, confirms, signs in and consents on the Entra stand-in's pages → Entra's
 * form_post lands on the callback → Databricks redeems code + verifier and the connection works.
 */
describe('U2M end to end in a real browser', () => {
  let cloud: LocalCloud;
  let host: HostProcess;
  let browser: BrowserContext;
  let workDir: string;
  const hostOutput: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium is not installed at ${chromiumPath}: run 'apt-get update && apt-get install -y chromium' (.ci/run installs it). This test does not skip without it.`,
      );
    }
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    cloud = await startLocalCloud({
      storageConnectionString: inject('storageConnectionString'),
      tablePrefix: `web${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      publicBaseUrl,
    });
    host = await startHostProcess({
      appSettings: cloud.appSettings,
      port,
      onOutput: (line) => void hostOutput.push(line),
    });
    workDir = mkdtempSync(join(tmpdir(), 'u2m-browser-'));
    browser = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        `--ignore-certificate-errors-spki-list=${testCertificateSpkiHash()}`,
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await cloud?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runCli(args, { env: cliEnvironment(cloud, host) });

  it('an approver signs in from the emailed link in Chromium and the OAUTH_U2M connection works', async () => {
    const requestId = `web-${randomUUID()}`;
    const file = join(workDir, 'u2m-request.json');
    writeFileSync(
      file,
      JSON.stringify({
        requestId,
        action: 'upsert',
        requestedBy: 'pipeline: browser end-to-end',
        connection: {
          name: 'browser_u2m',
          host: 'sales-srv.database.windows.net',
          applicationIntent: 'ReadOnly',
        },
        auth: {
          flow: 'U2M',
          tenantId: cloud.tenantId,
          clientId: cloud.sqlApp.appId,
          clientSecretRef: cloud.sqlApp.secretName,
          approver: cloud.admin.username,
        },
      }),
    );
    const submitted = await cli(['submit', file, '--wait', '--stop-at-sign-in', '--timeout', '60']);
    expect(submitted.stdout.trim(), submitted.stderr).toBe(requestId);
    expect(submitted.exitCode, submitted.stderr).toBe(13);

    const [mail] = await cloud.mail.waitForMessage(cloud.admin.username);
    const link = /http:\/\/127\.0\.0\.1:\d+\/api\/signin\?t=[A-Za-z0-9_-]+/.exec(mail?.text ?? '')?.[0] ?? '';
    expect(link.startsWith(`${host.url}/api/signin?t=`)).toBe(true);

    const page = await browser.newPage();
    /** Runs one step of the walk; a failure says where the browser was and what the host logged last. */
    const step = async (what: string, action: () => Promise<unknown>) => {
      try {
        await action();
      } catch (error) {
        const heading = await page
          .locator('h1')
          .first()
          .textContent({ timeout: 1000 })
          .catch(() => '');
        throw new Error(
          `${what} failed at ${page.url()} (heading: ${JSON.stringify(heading)}). Last host lines:\n${hostOutput.slice(-12).join('\n')}`,
          { cause: error },
        );
      }
    };
    await step('opening the emailed link', async () => {
      await page.goto(link);
      await expect
        .poll(() => page.locator('h1').textContent())
        .toBe('Approve the Databricks connection browser_u2m');
    });
    await step('confirming', async () => {
      await page.getByRole('button', { name: 'Continue to Microsoft sign-in' }).click();
      await page.waitForURL((url) => url.origin === cloud.entra.url);
    });
    // The Entra stand-in's pages: the sign-in form (username pre-filled from login_hint), then consent.
    await step('signing in at Entra', async () => {
      await expect
        .poll(() => page.getByLabel('Email, phone, or Skype').inputValue())
        .toBe(cloud.admin.username);
      await page.getByLabel('Password').fill(cloud.admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    });
    await step('consenting', () => page.getByRole('button', { name: 'Accept' }).click());
    // Entra form_posts code + state to the callback, cross-site, with the SameSite=None transaction cookie.
    await step('landing on the callback', async () => {
      await page.waitForURL(`${host.url}/api/oauth/callback`);
      await expect.poll(() => page.locator('h1').textContent()).toBe('Connection browser_u2m is ready');
    });

    const status = await cli(['status', requestId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'succeeded', flow: 'U2M' });
    const stored = cloud.databricks.control.storedConnection('browser_u2m');
    expect(stored?.credentialType).toBe('OAUTH_U2M');
    expect(stored?.options.oauth_redirect_uri).toBe(`${host.url}/api/oauth/callback`);
    await expect(cloud.databricks.control.testConnection('browser_u2m')).resolves.toEqual({
      ok: true,
      audience: 'https://database.windows.net',
    });
  }, 120_000);
});
