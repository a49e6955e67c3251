import type { UpsertRequest } from '../request/connection-request-schema.js';

/**
 * How a request becomes Databricks connection options — data, one table per flow, because the
 * SQLSERVER M2M option set is not confirmed by any public source (terraform-provider-databricks#5200:
 * the obvious set is classified as U2M).
 * If Databricks classifies a connection differently than expected, the provisioner fails the request
 * with CREDENTIAL_TYPE_MISMATCH and this table is the place to adjust.
 */
export interface OptionContext {
  /** The request's connection settings and app registration (an UpsertRequest, or a U2M sign-in's intent). */
  request: {
    connection: UpsertRequest['connection'];
    auth: Pick<UpsertRequest['auth'], 'tenantId' | 'clientId'>;
  };
  clientSecret: string;
  /** Entra authority host for the SQL app's tenant, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /**
   * U2M only: the redirect URI the authorize request used, and what the sign-in returned. Code and
   * verifier are absent when only the non-secret options are wanted (fingerprints).
   */
  signIn?: { redirectUri: string; authorizationCode?: string; pkceVerifier?: string };
}

type OptionSource = (context: OptionContext) => string | undefined;

export const sqlScope = 'https://database.windows.net/.default';

const commonOptions: Record<string, OptionSource> = {
  host: ({ request }) => request.connection.host,
  port: ({ request }) => String(request.connection.port),
  trustServerCertificate: ({ request }) => String(request.connection.trustServerCertificate),
  applicationIntent: ({ request }) => request.connection.applicationIntent,
  client_id: ({ request }) => request.auth.clientId,
  client_secret: ({ clientSecret }) => clientSecret,
};

/**
 * OAuth M2M (client credentials): `token_endpoint` by analogy with the HTTP connection's M2M options (TF
 * docs/resources/connection.md; unconfirmed for SQLSERVER).
 */
export const m2mOptionTable: Record<string, OptionSource> = {
  ...commonOptions,
  token_endpoint: ({ request, authorityHost }) =>
    `${authorityHost}/${request.auth.tenantId}/oauth2/v2.0/token`,
  oauth_scope: () => sqlScope,
};

/**
 * The tenant's v2.0 authorize endpoint: what the sign-in sends the browser to, what Databricks derives
 * its token endpoint from, and what the callback checks the transaction against (R6, R15).
 */
export function authorizeEndpointFor(authorityHost: string, tenantId: string): string {
  return `${authorityHost.replace(/\/+$/, '')}/${tenantId}/oauth2/v2.0/authorize`;
}

/** `offline_access` so Entra issues the refresh token Databricks keeps (unconfirmed; no public source). */
export const u2mScope = `${sqlScope} offline_access`;

/**
 * OAuth U2M: the option names from terraform-provider-databricks #4710 and #5200. Databricks
 * redeems `authorization_code` with `pkce_verifier` as a confidential client, at the token endpoint it
 * derives from `authorization_endpoint`, with `oauth_redirect_uri` as `redirect_uri` (R12).
 */
export const u2mOptionTable: Record<string, OptionSource> = {
  ...commonOptions,
  authorization_endpoint: ({ request, authorityHost }) =>
    authorizeEndpointFor(authorityHost, request.auth.tenantId),
  oauth_scope: () => u2mScope,
  oauth_redirect_uri: ({ signIn }) => signIn?.redirectUri,
  authorization_code: ({ signIn }) => signIn?.authorizationCode,
  pkce_verifier: ({ signIn }) => signIn?.pkceVerifier,
};

/** Options whose values Databricks never returns; they are excluded from the change fingerprint. */
export const writeOnlyOptions = new Set([
  'client_secret',
  'authorization_code',
  'pkce_verifier',
  'password',
  'user',
]);

export const expectedCredentialType = { M2M: 'OAUTH_M2M', U2M: 'OAUTH_U2M' } as const;

export function buildOptions(
  table: Record<string, OptionSource>,
  context: OptionContext,
): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [name, source] of Object.entries(table)) {
    const value = source(context);
    if (value !== undefined) options[name] = value;
  }
  return options;
}
