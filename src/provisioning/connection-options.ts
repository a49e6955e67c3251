import type { UpsertRequest } from '../request/connection-request-schema.js';

/**
 * How a request becomes Databricks connection options — data, one table per flow, because the
 * SQLSERVER M2M option set is not confirmed by any public source (databricks-connections-api.md §4.3).
 * If Databricks classifies a connection differently than expected, the provisioner fails the request
 * with CREDENTIAL_TYPE_MISMATCH and this table is the place to adjust.
 */
export interface OptionContext {
  request: UpsertRequest;
  clientSecret: string;
  /** Entra authority host for the SQL app's tenant, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
}

type OptionSource = (context: OptionContext) => string | undefined;

const sqlScope = 'https://database.windows.net/.default';

const commonOptions: Record<string, OptionSource> = {
  host: ({ request }) => request.connection.host,
  port: ({ request }) => String(request.connection.port),
  trustServerCertificate: ({ request }) => String(request.connection.trustServerCertificate),
  applicationIntent: ({ request }) => request.connection.applicationIntent,
  client_id: ({ request }) => request.auth.clientId,
  client_secret: ({ clientSecret }) => clientSecret,
};

/** OAuth M2M (client credentials): `token_endpoint` by analogy with the HTTP connection's M2M options (§4.3). */
export const m2mOptionTable: Record<string, OptionSource> = {
  ...commonOptions,
  token_endpoint: ({ request, authorityHost }) =>
    `${authorityHost}/${request.auth.tenantId}/oauth2/v2.0/token`,
  oauth_scope: () => sqlScope,
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
