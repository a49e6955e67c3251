import { createHash, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';
import type { CaughtMail } from '../emulators/mail-catcher.js';
import type { CapturedLog } from '../local-cloud/deliver-to-handler.js';
import { type ProvisioningHarness, startProvisioningHarness } from '../provisioning/provisioning-harness.js';

type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** What a browser sees of one response. */
export interface SeenResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** `Set-Cookie`s as the handler returned them (name, value and attributes). */
  cookies: NonNullable<HttpResponseInit['cookies']>;
}

export interface SignInHarness extends ProvisioningHarness {
  publicBaseUrl: string;
  /** Every line the HTTP handlers logged through their InvocationContext. */
  httpLogs: CapturedLog[];
  /** Every response body the handlers returned (pages), to check that no secret reaches one. */
  pages: string[];
  signInHandler: HttpHandler;
  callbackHandler: HttpHandler;
  /** A U2M upsert for the demo SQL app, approved by the demo admin; `overrides` replace top-level fields. */
  u2mRequest(
    name: string,
    overrides?: Record<string, unknown>,
  ): Record<string, unknown> & { requestId: string };
  /** The sign-in link emailed for `requestId` (waits for the email). */
  linkFor(requestId: string): Promise<string>;
  mailsFor(requestId: string): Promise<CaughtMail[]>;
  /** A fresh browser: its own cookie jar, talking to the registered handlers. */
  browser(): HandlerBrowser;
  /** The app's `signins` table, for moving a stored expiry into the past (tests cannot wait 72 hours). */
  signInTable: TableClient;
  /** Makes the link with this URL expired, as if its lifetime had passed. */
  expireLink(link: string): Promise<void>;
}

/** One local cloud and the registered provisioning, sign-in and callback handlers, per test file. */
export async function startSignInHarness(
  options: Parameters<typeof startProvisioningHarness>[0] = {},
): Promise<SignInHarness> {
  const harness = await startProvisioningHarness(options);
  const { signIn } = await import('../../functions/signin.js');
  const { oauthCallback } = await import('../../functions/oauth-callback.js');
  const publicBaseUrl = harness.cloud.appSettings.PUBLIC_BASE_URL ?? '';
  const httpLogs: CapturedLog[] = [];
  const pages: string[] = [];
  const signInTable = TableClient.fromConnectionString(
    harness.cloud.appSettings.STATE_STORAGE_CONNECTION_STRING ?? '',
    `${harness.cloud.appSettings.STATE_TABLE_PREFIX}signins`,
    { allowInsecureConnection: true },
  );
  const mailsFor = async (requestId: string) =>
    (await harness.cloud.mail.messages()).filter((mail) => mail.text?.includes(`Request id:   ${requestId}`));
  const self: SignInHarness = {
    ...harness,
    publicBaseUrl,
    httpLogs,
    pages,
    signInHandler: signIn,
    callbackHandler: oauthCallback,
    u2mRequest(name, overrides = {}) {
      return {
        requestId: `u2m-${randomUUID()}`,
        action: 'upsert',
        requestedBy: 'pipeline: sign-in tests',
        connection: { name, host: 'sales-srv.database.windows.net' },
        auth: {
          flow: 'U2M',
          tenantId: harness.cloud.tenantId,
          clientId: harness.cloud.sqlApp.appId,
          clientSecretRef: harness.cloud.sqlApp.secretName,
          approver: harness.cloud.admin.username,
        },
        ...overrides,
      };
    },
    mailsFor,
    async linkFor(requestId) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [mail] = await mailsFor(requestId);
        const link = /https?:\/\/\S+\/api\/signin\?t=[A-Za-z0-9_-]+/.exec(mail?.text ?? '')?.[0];
        if (link) return link;
        if (Date.now() > deadline) throw new Error(`No sign-in email for ${requestId} within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    browser: () => new HandlerBrowser(self),
    signInTable,
    async expireLink(link) {
      const token = new URL(link).searchParams.get('t') ?? '';
      await signInTable.updateEntity(
        { partitionKey: sha256(token), rowKey: 'link', expiresAt: new Date(Date.now() - 1000) },
        'Merge',
      );
    },
  };
  return self;
}

/**
 * Plays a browser against the handlers: keeps cookies per name (honouring Max-Age=0), sends `Origin`
 * on form posts as browsers do, and drives Entra's pages with the stand-in's programmatic sign-in.
 */
export class HandlerBrowser {
  readonly cookies = new Map<string, string>();
  readonly #harness: SignInHarness;

  constructor(harness: SignInHarness) {
    this.#harness = harness;
  }

  get(url: string): Promise<SeenResponse> {
    return this.request(this.#harness.signInHandler, { method: 'GET', url });
  }

  head(url: string): Promise<SeenResponse> {
    return this.request(this.#harness.signInHandler, { method: 'HEAD', url });
  }

  /** Submits the confirmation page's form as the browser would. */
  confirm(page: SeenResponse, options: { headers?: Record<string, string> } = {}): Promise<SeenResponse> {
    const form = formFields(page.body);
    return this.request(this.#harness.signInHandler, {
      method: 'POST',
      url: `${this.#harness.publicBaseUrl}/api/signin`,
      form,
      // What Chromium sends for a same-origin form post from a no-referrer page (src/signin/same-origin.ts).
      headers: { origin: 'null', 'sec-fetch-site': 'same-origin', ...options.headers },
    });
  }

  /** GET the link, press the button: returns the redirect to Entra. */
  async start(link: string): Promise<SeenResponse> {
    const page = await this.get(link);
    if (page.status !== 200) throw new Error(`confirmation page answered ${page.status}`);
    return this.confirm(page);
  }

  /** Signs the demo admin in at Entra from the redirect; returns what Entra form_posts back. */
  async signInAtEntra(redirect: SeenResponse, consent: 'accept' | 'decline' = 'accept') {
    const location = redirect.headers.location;
    if (redirect.status !== 302 || !location) throw new Error(`expected a redirect, got ${redirect.status}`);
    const { admin } = this.#harness.cloud;
    return this.#harness.cloud.entra.control.signIn(location, { ...admin, consent });
  }

  /** Posts the form Entra returned to the callback, with this browser's cookies (Entra → us is cross-site, SameSite=None). */
  postCallback(fields: Record<string, string>): Promise<SeenResponse> {
    return this.request(this.#harness.callbackHandler, {
      method: 'POST',
      url: `${this.#harness.publicBaseUrl}/api/oauth/callback`,
      form: fields,
      headers: { origin: 'null', 'sec-fetch-site': 'cross-site' },
    });
  }

  /** The whole happy path from the emailed link to the callback's page. */
  async signInWith(link: string): Promise<SeenResponse> {
    const result = await this.signInAtEntra(await this.start(link));
    return this.postCallback(result.parameters);
  }

  async request(
    handler: HttpHandler,
    input: { method: string; url: string; form?: Record<string, string>; headers?: Record<string, string> },
  ): Promise<SeenResponse> {
    const headers: Record<string, string> = { ...input.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (input.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const request = new HttpRequest({
      method: input.method,
      url: input.url,
      headers,
      ...(input.form ? { body: { string: new URLSearchParams(input.form).toString() } } : {}),
    });
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: handler.name,
      logHandler: (level, ...args) =>
        this.#harness.httpLogs.push({ level, text: args.map(String).join(' ') }),
    });
    const response = await handler(request, context);
    const body = typeof response.body === 'string' ? response.body : '';
    this.#harness.pages.push(body);
    const cookies = response.cookies ?? [];
    for (const cookie of cookies) {
      if (cookie.maxAge !== undefined && cookie.maxAge <= 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return {
      status: response.status ?? 200,
      headers: Object.fromEntries(
        Object.entries((response.headers ?? {}) as Record<string, string>).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      ),
      body,
      cookies,
    };
  }
}

/** The hidden fields of the page's form (what the browser would submit). */
export function formFields(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [
      name ?? '',
      value ?? '',
    ]),
  );
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
