import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContext } from 'oidc-provider';
import type { Directory } from './directory.js';
import { aadsts, describe } from './entra-errors.js';
import { createAdapterFactory } from './memory-adapter.js';
import { errorPage } from './pages.js';
import { fromResourceIndicator, parseResourceScope, toResourceIndicator } from './resources.js';
import { entraResponses, rememberGrantError, type TokenFailureListener } from './response-shaping.js';
import type { SigningKey } from './signing-key.js';
import { createEntraClaimsCustomizer } from './token-claims.js';

/** Lifetimes the control surface may change while the stand-in runs. */
export interface TokenSettings {
  accessTokenLifetimeInSeconds: number;
  authorizationCodeLifetimeInSeconds: number;
}

export interface TenantProviderInput {
  url: string;
  tenantId: string;
  directory: Directory;
  signingKey: SigningKey;
  settings: TokenSettings;
  onTokenFailure: TokenFailureListener;
}

const ninetyDaysInSeconds = 90 * 24 * 60 * 60;

let oidcProviderModule: Promise<typeof import('oidc-provider')> | undefined;

/**
 * oidc-provider prints "Unsupported runtime" when imported on Node 20 (lib/index.js); the project runs
 * on Node 20, where it works (observed with oidc-provider 9.13), so that one line is dropped.
 */
function loadOidcProvider(): Promise<typeof import('oidc-provider')> {
  oidcProviderModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return oidcProviderModule;
}

/**
 * One oidc-provider per tenant, mounted at `/{tenant}` by the front door so that its routes are Entra's
 * (`/{tenant}/oauth2/v2.0/authorize|token`), with issuer `/{tenant}/v2.0`.
 */
export async function createTenantProvider(input: TenantProviderInput): Promise<Provider> {
  const { default: OidcProvider, errors } = await loadOidcProvider();
  const { tenantId, directory, settings } = input;
  const accessTokenTtl = () => settings.accessTokenLifetimeInSeconds;

  const provider = new OidcProvider(`${input.url}/${tenantId}/v2.0`, {
    adapter: createAdapterFactory(tenantId, directory),
    jwks: { keys: [input.signingKey.privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/oauth2/v2.0/authorize',
      token: '/oauth2/v2.0/token',
      jwks: '/discovery/v2.0/keys',
      end_session: '/oauth2/v2.0/logout',
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub', 'tid'], profile: ['name', 'preferred_username', 'oid'], email: ['email'] },
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // Entra lists redirect_uri as required on /authorize (v2-oauth2-auth-code-flow.md).
    allowOmittingSingleRegisteredRedirectUri: false,
    // Stricter than Entra, which lets web apps skip PKCE: the project always sends S256 (R6).
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Entra names the resource inside the scope (`X/.default`), not with RFC 8707 `resource`.
        defaultResource: (ctx: KoaContext, _client: unknown, oneOf?: string) => {
          const parsed = parseResourceScope(ctx.oidc.params?.scope as string | undefined);
          if (parsed.kind === 'several_resources') {
            throw new errors.CustomOIDCProviderError('invalid_scope', describe(aadsts.severalResources()));
          }
          if (parsed.kind === 'not_default') {
            throw new errors.CustomOIDCProviderError(
              'invalid_scope',
              describe(aadsts.invalidScope(parsed.scope)),
            );
          }
          return parsed.kind === 'resource' ? toResourceIndicator(parsed.resource) : oneOf;
        },
        getResourceServerInfo: (_ctx: KoaContext, indicator: string) => {
          const resource = fromResourceIndicator(indicator);
          if (!directory.isKnownResource(tenantId, resource)) {
            throw new errors.CustomOIDCProviderError(
              'invalid_resource',
              describe(aadsts.resourceNotFound(resource, tenantId)),
            );
          }
          return {
            scope: `${resource}/.default`,
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl(),
            jwt: { sign: { alg: 'RS256' } },
          };
        },
        useGrantedResource: () => true,
      },
    },
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      AuthorizationCode: () => settings.authorizationCodeLifetimeInSeconds,
      IdToken: 3600,
      // Entra's refresh tokens last 90 days (configurable-token-lifetimes.md).
      RefreshToken: ninetyDaysInSeconds,
      Grant: ninetyDaysInSeconds,
      Interaction: 3600,
      Session: 24 * 60 * 60,
    },
    formats: { customizers: { jwt: createEntraClaimsCustomizer(tenantId, directory, input.signingKey.kid) } },
    interactions: { url: (_ctx, interaction) => `/${tenantId}/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const user = directory.userById(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          oid: sub,
          tid: tenantId,
          name: user.displayName,
          preferred_username: user.username,
          email: user.username,
        }),
      };
    },
    // Entra issues a refresh token exactly when offline_access was granted (scopes-oidc.md#offline_access).
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    // Entra returns a new refresh token on each use but leaves the old one valid until it expires.
    rotateRefreshToken: false,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(pageFailure(out));
    },
    clientBasedCORS: () => false,
  });

  provider.use(entraResponses(input.onTokenFailure));
  provider.on('grant.error', rememberGrantError);
  provider.on('server_error', (_ctx, error) =>
    console.error('Entra stand-in: oidc-provider server error', error),
  );
  return provider;
}

/** Authorize-request failures Entra shows as a page instead of redirecting. */
function pageFailure(out: Record<string, unknown>) {
  const description = String(out.error_description ?? '');
  const own = /^AADSTS(\d+): (.*)$/s.exec(description);
  if (own) return { status: 400, error: String(out.error), code: Number(own[1]), message: own[2] ?? '' };
  return aadsts.invalidRequest(description);
}
