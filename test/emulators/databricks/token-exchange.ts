import { STATUS_CODES } from 'node:http';
import { fetch } from 'undici';

/** The parts of an RFC 6749 §5.1 token response the stand-in keeps. */
export interface TokenGrant {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** A token request that did not yield tokens: an RFC 6749 §5.2 error response, or no response at all. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly response?: { status: number; fields: Record<string, unknown> },
  ) {
    super(message);
  }

  /**
   * The failure text Databricks puts in its error (terraform-provider-databricks#4771):
   * `The OAuth token exchange failed with HTTP status code 400 Bad Request. The returned server response or exception
   * message is: Map(e…`. The text in #4771 is cut after `Map(e`; rendering `error` and `error_description` as a Scala
   * `Map` is [inferred]. (#4771 starts with `cannot create connection: `: that is Terraform's `nicerError` wrapper in
   * `common/resource.go`, not part of the API message.)
   */
  describe(): string {
    if (!this.response)
      return `The OAuth token exchange failed. The returned server response or exception message is: ${this.message}`;
    const { status, fields } = this.response;
    const map = ['error', 'error_description']
      .filter((key) => fields[key] !== undefined)
      .map((key) => `${key} -> ${String(fields[key])}`)
      .join(', ');
    return (
      `The OAuth token exchange failed with HTTP status code ${status} ${STATUS_CODES[status] ?? ''}. ` +
      `The returned server response or exception message is: Map(${map})`
    );
  }
}

/**
 * [inferred] Databricks derives the token endpoint from `authorization_endpoint`: `…/authorize` → `…/token`
 * (no public source).
 */
export function tokenEndpointFor(authorizationEndpoint: string): string {
  const url = parseUrl(authorizationEndpoint);
  if (!url.pathname.endsWith('/authorize')) {
    throw new TokenRequestError(
      `authorization_endpoint '${authorizationEndpoint}' does not end in /authorize`,
    );
  }
  url.pathname = `${url.pathname.slice(0, -'/authorize'.length)}/token`;
  return url.toString();
}

/**
 * POSTs a form-encoded token request (RFC 6749 §3.2, client_secret_post as Entra accepts it). Tests never leave the
 * machine: a non-loopback endpoint (e.g. login.microsoftonline.com) fails like an unreachable host would.
 */
export async function requestToken(tokenEndpoint: string, form: Record<string, string>): Promise<TokenGrant> {
  const url = parseUrl(tokenEndpoint);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new TokenRequestError(
      `java.net.UnknownHostException: ${url.hostname} (the stand-in only calls loopback hosts)`,
    );
  }
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
  } catch (error) {
    throw new TokenRequestError(String((error as Error).cause ?? error));
  }
  const text = await response.text();
  const fields = parseObject(text);
  if (!response.ok || typeof fields.access_token !== 'string') {
    throw new TokenRequestError(`token endpoint answered ${response.status}`, {
      status: response.status,
      fields,
    });
  }
  const expiresIn = Number(fields.expires_in ?? 3600);
  return {
    accessToken: fields.access_token,
    refreshToken: typeof fields.refresh_token === 'string' ? fields.refresh_token : undefined,
    expiresAt: Date.now() + expiresIn * 1000,
  };
}

function parseUrl(value: string): URL {
  if (!URL.canParse(value)) throw new TokenRequestError(`java.net.MalformedURLException: '${value}'`);
  return new URL(value);
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : { error: text };
  } catch {
    return { error: text };
  }
}
