/**
 * Resources (token audiences) and how Entra v2 scopes name them: `<resource>/<permission>`, with
 * `<resource>/.default` meaning "everything already consented".
 * @see https://learn.microsoft.com/entra/identity-platform/scopes-oidc#the-default-scope
 */
export const wellKnownResources = {
  keyVault: 'https://vault.azure.net',
  graph: 'https://graph.microsoft.com',
  azureSql: 'https://database.windows.net',
  /** The AzureDatabricks first-party application id. */
  azureDatabricks: '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d',
} as const;

/** Scopes that ask for sign-in or a refresh token rather than access to a resource. */
export const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * The delegated permission a user token carries for `.default`. Azure SQL Database, Key Vault and
 * AzureDatabricks each expose exactly one delegated permission, `user_impersonation`
 * (learn.microsoft.com/azure/databricks/query-federation/sql-server-entra); the stand-in uses it for every resource.
 */
export const delegatedPermission = 'user_impersonation';

const indicatorPrefix = 'urn:entra-stand-in:resource:';

/**
 * oidc-provider requires RFC 8707 resource indicators to be absolute URIs, but Entra resources may be
 * bare application ids (AzureDatabricks): those travel through oidc-provider as a URN.
 */
export function toResourceIndicator(resource: string): string {
  return URL.canParse(resource) ? resource : `${indicatorPrefix}${resource}`;
}

export function fromResourceIndicator(indicator: string): string {
  return indicator.startsWith(indicatorPrefix) ? indicator.slice(indicatorPrefix.length) : indicator;
}

export type ScopeParse =
  | { kind: 'resource'; resource: string; scopes: string[] }
  | { kind: 'none' }
  | { kind: 'not_default'; scope: string }
  | { kind: 'several_resources' };

/**
 * Splits a scope parameter into its single resource. The stand-in accepts only `<resource>/.default`
 * resource scopes (stricter than Entra, which also accepts named permissions).
 */
export function parseResourceScope(scopeParameter: string | undefined): ScopeParse {
  const scopes = (scopeParameter ?? '').split(' ').filter((scope) => scope.length > 0);
  const resourceScopes = scopes.filter((scope) => !oidcScopes.has(scope));
  if (resourceScopes.length === 0) return { kind: 'none' };
  const notDefault = resourceScopes.find((scope) => !scope.endsWith('/.default'));
  if (notDefault) return { kind: 'not_default', scope: notDefault };
  const resources = new Set(resourceScopes.map((scope) => scope.slice(0, -'/.default'.length)));
  if (resources.size > 1) return { kind: 'several_resources' };
  const [resource] = resources;
  return resource ? { kind: 'resource', resource, scopes } : { kind: 'none' };
}
