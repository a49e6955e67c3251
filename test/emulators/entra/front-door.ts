import { IncomingMessage, type ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBody, sendJson } from '../shared/http-body.js';
import type { Directory } from './directory.js';
import { aadsts, type EntraFailure, errorBody } from './entra-errors.js';
import { handleInteraction } from './interactions.js';
import { errorPage } from './pages.js';
import { parseResourceScope } from './resources.js';
import type { SigningKey } from './signing-key.js';
import type { TokenLog } from './token-log.js';

export interface FrontDoorInput {
  directory: Directory;
  providers: Map<string, Provider>;
  signingKey: SigningKey;
  tokenLog: TokenLog;
}

/** Request URLs are relative; parsing needs some origin. */
const placeholderOrigin = 'https://entra.invalid';
const supportedGrantTypes = new Set(['client_credentials', 'authorization_code', 'refresh_token']);

/**
 * Entra's URL space on one host: `/common/discovery/v2.0/keys`, then per tenant
 * `/{tenant}/v2.0/.well-known/openid-configuration` (what MSAL fetches: msal-common Authority.ts
 * `defaultOpenIdConfigurationEndpoint`), `/{tenant}/oauth2/v2.0/authorize|token`,
 * `/{tenant}/discovery/v2.0/keys`. The front door does what oidc-provider cannot: Entra's client
 * authentication with several secrets per app, Entra's authorize checks and prompt semantics.
 */
export function createFrontDoor(input: FrontDoorInput) {
  const { directory, providers, signingKey, tokenLog } = input;
  const callbacks = new Map([...providers].map(([tenant, provider]) => [tenant, provider.callback()]));

  /**
   * Hands the request to the tenant's oidc-provider, mounted at `/{tenant}` (oidc-provider takes its mount
   * path from `originalUrl`).
   */
  function forward(tenantId: string, internalPath: string, req: IncomingMessage, res: ServerResponse) {
    req.url = internalPath + new URL(req.url ?? '/', placeholderOrigin).search;
    Object.assign(req, { originalUrl: `/${tenantId}${req.url}` });
    return callbacks.get(tenantId)?.(req, res);
  }

  async function token(tenantId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    // Entra also accepts the client credentials as HTTP Basic (v2-oauth2-client-creds-grant-flow.md).
    const basic = parseBasicAuthorization(req.headers.authorization);
    const clientId = form.get('client_id') ?? basic?.clientId ?? '';
    const request = {
      tenantId,
      grantType: form.get('grant_type') ?? '',
      clientId,
      scope: form.get('scope') ?? '',
    };
    const failure = checkTokenRequest(tenantId, form, clientId, form.get('client_secret') ?? basic?.secret);
    if (failure) {
      tokenLog.record(request, failure.status, failure);
      return sendJson(res, failure.status, errorBody(failure), { 'cache-control': 'no-store' });
    }
    // The caller proved one of the app's secrets; oidc-provider gets the app's single internal one.
    form.set('client_id', clientId);
    form.set('client_secret', directory.internalSecret(clientId));
    const replay = requestWithBody(req, form.toString());
    res.once('finish', () => tokenLog.record(request, res.statusCode, tokenLog.failureOf(replay)));
    await forward(tenantId, '/oauth2/v2.0/token', replay, res);
  }

  /** Client authentication, then the client-credentials scope rules, in the order Entra reports them. */
  function checkTokenRequest(
    tenantId: string,
    form: URLSearchParams,
    clientId: string,
    secret: string | undefined,
  ): EntraFailure | undefined {
    const grantType = form.get('grant_type');
    if (!grantType) return aadsts.missingParameter('grant_type');
    if (!supportedGrantTypes.has(grantType)) return aadsts.unsupportedGrantType(grantType);
    if (!clientId) return aadsts.missingParameter('client_id');
    if (!directory.appInTenant(tenantId, clientId)) return aadsts.appNotFound(clientId, tenantId);
    if (!secret) return aadsts.missingClientSecret();
    const secretCheck = directory.checkClientSecret(clientId, secret);
    if (secretCheck === 'expired') return aadsts.expiredClientSecret(clientId);
    if (secretCheck === 'invalid') return aadsts.invalidClientSecret(clientId);
    if (grantType !== 'client_credentials') return undefined;
    const scope = form.get('scope');
    if (!scope) return aadsts.missingParameter('scope');
    // App-only requests may ask only for `<resource>/.default` (AADSTS1002012).
    const notDefault = scope.split(' ').find((value) => !value.endsWith('/.default'));
    if (notDefault !== undefined) return aadsts.clientCredentialsNeedDefault(scope);
    const parsed = parseResourceScope(scope);
    if (parsed.kind === 'several_resources') return aadsts.severalResources();
    if (parsed.kind === 'resource' && !directory.isKnownResource(tenantId, parsed.resource)) {
      return aadsts.resourceNotFound(parsed.resource, tenantId);
    }
    return undefined;
  }

  /**
   * Entra checks the app and the redirect URI before anything else and shows a page (no redirect)
   * when they are wrong. Then two Entra semantics oidc-provider lacks: `prompt=select_account` (shown
   * here as the sign-in form) and a refresh token for `offline_access` without `prompt=consent`
   * (oidc-provider follows OIDC Core §11 and drops it otherwise).
   */
  function authorize(tenantId: string, req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', placeholderOrigin);
    const params = url.searchParams;
    const failure = checkAuthorizeRequest(tenantId, params);
    if (failure) return sendPage(res, failure);
    const prompts = new Set((params.get('prompt') ?? '').split(' ').filter(Boolean));
    if (prompts.delete('select_account')) prompts.add('login');
    if ((params.get('scope') ?? '').split(' ').includes('offline_access')) prompts.add('consent');
    if (prompts.size > 0) params.set('prompt', [...prompts].join(' '));
    req.url = `${url.pathname}${url.search}`;
    return forward(tenantId, '/oauth2/v2.0/authorize', req, res);
  }

  function checkAuthorizeRequest(tenantId: string, params: URLSearchParams): EntraFailure | undefined {
    const clientId = params.get('client_id');
    if (!clientId) return aadsts.missingParameter('client_id');
    const app = directory.appInTenant(tenantId, clientId);
    if (!app) return aadsts.appNotFound(clientId, tenantId);
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) return aadsts.noReplyAddress();
    // Exact, case-sensitive match (reply-url.md; RFC 9700 §4.1.3).
    if (!app.redirectUris.includes(redirectUri)) return aadsts.redirectUriMismatch(redirectUri, app.appId);
    return undefined;
  }

  return async function frontDoor(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', placeholderOrigin).pathname;
    if (path === '/common/discovery/v2.0/keys') return sendJson(res, 200, signingKey.publicJwks);
    const [, tenantSegment = '', ...rest] = path.split('/');
    const subPath = `/${rest.join('/')}`;
    const tenantId = [...providers.keys()].find((id) => id.toLowerCase() === tenantSegment.toLowerCase());
    if (!tenantId) {
      const failure = aadsts.tenantNotFound(tenantSegment);
      return subPath.startsWith('/oauth2/v2.0/authorize')
        ? sendPage(res, failure)
        : sendJson(res, 400, errorBody(failure));
    }
    const provider = providers.get(tenantId) as Provider;
    switch (true) {
      case subPath === '/discovery/v2.0/keys':
        return sendJson(res, 200, signingKey.publicJwks);
      case subPath === '/v2.0/.well-known/openid-configuration':
        return forward(tenantId, '/.well-known/openid-configuration', req, res);
      case subPath.startsWith('/interaction/'):
        return handleInteraction({ tenantId, provider, directory, subPath }, req, res);
      case subPath === '/oauth2/v2.0/token':
        if (req.method !== 'POST') return sendJson(res, 400, errorBody(aadsts.postOnly(req.method ?? '')));
        return token(tenantId, req, res);
      case subPath === '/oauth2/v2.0/authorize':
        return authorize(tenantId, req, res);
      default:
        // The resume step `/oauth2/v2.0/authorize/{uid}` and oidc-provider's remaining endpoints.
        return forward(tenantId, subPath, req, res);
    }
  };
}

function sendPage(res: ServerResponse, failure: EntraFailure): void {
  res.writeHead(failure.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(errorPage(failure));
}

function parseBasicAuthorization(
  header: string | undefined,
): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
  const parts = new URLSearchParams(`id=${decoded.slice(0, colon)}&secret=${decoded.slice(colon + 1)}`);
  return { clientId: parts.get('id') ?? '', secret: parts.get('secret') ?? '' };
}

/** A copy of `req` whose body is `body`: the original stream was consumed to check the client. */
function requestWithBody(req: IncomingMessage, body: string): IncomingMessage {
  const replay = new IncomingMessage(req.socket);
  const { authorization: _, ...headers } = req.headers;
  replay.method = req.method;
  replay.url = req.url;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  replay.headers = {
    ...headers,
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
  };
  // Marked complete, or IncomingMessage's auto-destroy at end of stream would abort the shared socket.
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}
