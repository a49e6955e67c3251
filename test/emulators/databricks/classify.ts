import { type ErrorDetail, invalidParameter } from './errors.js';

/**
 * Option rules for `connection_type: SQLSERVER`. The server has no auth-type field: it derives the securable kind
 * from the set of options present (terraform-provider-databricks#5200). Everything here is data so
 * an unconfirmed rule (M2M) can be replaced from the options without touching the logic.
 */
export type SqlServerCredentialType = 'USERNAME_PASSWORD' | 'OAUTH_U2M' | 'OAUTH_M2M';

export interface OptionRule {
  /** In server order: the missing-option message lists them in this order, not alphabetically (#5200). */
  required: string[];
  optional: string[];
}

/** [inferred] No public source shows a working SQLSERVER M2M option set (see #5200); this is a candidate. */
export const defaultM2mRule: OptionRule = {
  required: ['host', 'port', 'client_id', 'client_secret', 'token_endpoint', 'oauth_scope'],
  optional: ['trustServerCertificate', 'applicationIntent'],
};

/** [source] ai-dev-kit "Connection Type Options (Verified)" for SQLSERVER. */
const usernamePasswordRule: OptionRule = {
  required: ['host', 'port', 'user', 'password'],
  optional: ['trustServerCertificate', 'applicationIntent'],
};

/**
 * [source] names from #4710, #5200 and a recorded workspace error. Order: #5200 lists
 * `oauth_redirect_uri,pkce_verifier,oauth_scope,authorization_code`; the options #5200 did send come first.
 */
const u2mRule: OptionRule = {
  required: [
    'host',
    'port',
    'client_id',
    'client_secret',
    'authorization_endpoint',
    'oauth_redirect_uri',
    'pkce_verifier',
    'oauth_scope',
    'authorization_code',
  ],
  optional: ['trustServerCertificate', 'applicationIntent'],
};

/** Any of these selects U2M (#5200: `authorization_endpoint` alone made the server pick OAUTH_U2M). */
const u2mMarkers = ['authorization_endpoint', 'oauth_redirect_uri', 'pkce_verifier', 'authorization_code'];

/**
 * The options only the code exchange needs; `keep_grant` PATCHes may leave them out (whether the grant
 * survives is unconfirmed).
 */
export const authorizationCodeOptions = ['authorization_code', 'pkce_verifier'];

/**
 * Never returned by GET/List (TF `sensitiveOptions`, PR #5987 `refresh_token`; ai-dev-kit "Passwords and
 * secrets are never returned"). `authorization_code`/`pkce_verifier` are one-time secrets [inferred].
 */
export const writeOnlyOptions = new Set([
  'client_secret',
  'password',
  'user',
  'authorization_code',
  'pkce_verifier',
  'access_token',
  'refresh_token',
]);

export function sqlServerRules(m2mRule: OptionRule): Record<SqlServerCredentialType, OptionRule> {
  return { USERNAME_PASSWORD: usernamePasswordRule, OAUTH_U2M: u2mRule, OAUTH_M2M: m2mRule };
}

/**
 * [source] kind string for U2M (#5200); [inferred] the other two follow the same pattern (no public source).
 */
export function securableKind(credentialType: SqlServerCredentialType): string {
  return `CONNECTION_SQLSERVER_${credentialType}`;
}

/**
 * Picks the kind from the keys present, in this order:
 * 1. a complete, exact match of the configured M2M rule (the rule is data, so it must be able to win);
 * 2. any U2M marker → OAUTH_U2M (#5200);
 * 3. `user` or `password` → USERNAME_PASSWORD (ai-dev-kit SQLSERVER options; SDK `CredentialType`);
 * 4. any M2M-only OAuth key (e.g. `client_id`, `token_endpoint`) → OAUTH_M2M, so its missing options are reported;
 * 5. otherwise the plain USERNAME_PASSWORD kind [inferred].
 */
export function classifySqlServerOptions(keys: string[], m2mRule: OptionRule): SqlServerCredentialType {
  const present = new Set(keys);
  const m2mAllowed = new Set([...m2mRule.required, ...m2mRule.optional]);
  if (m2mRule.required.every((key) => present.has(key)) && keys.every((key) => m2mAllowed.has(key))) {
    return 'OAUTH_M2M';
  }
  if (u2mMarkers.some((key) => present.has(key))) return 'OAUTH_U2M';
  if (present.has('user') || present.has('password')) return 'USERNAME_PASSWORD';
  const m2mOnly = m2mRule.required.filter((key) => key !== 'host' && key !== 'port');
  if (m2mOnly.some((key) => present.has(key))) return 'OAUTH_M2M';
  return 'USERNAME_PASSWORD';
}

/**
 * Rejects unsupported options first, then missing ones (order between the two is [inferred]).
 * - unsupported: `… does not support the following option(s): <key>` and the valid keys (ai-dev-kit);
 *   the exact wording of the valid-key list is [inferred].
 * - missing: exactly the recorded workspace body: `CONNECTION/<kind> must include the following option(s):
 *   a,b.` with an `ErrorInfo` `MISSING_CONNECTION_OPTION` whose metadata repeats kind and list.
 */
export function assertOptionsComplete(
  options: Record<string, string>,
  credentialType: SqlServerCredentialType,
  rule: OptionRule,
  exempt: string[] = [],
): void {
  const kind = securableKind(credentialType);
  const allowed = [...rule.required, ...rule.optional];
  const unsupported = Object.keys(options).filter((key) => !allowed.includes(key));
  if (unsupported.length > 0) {
    throw invalidParameter(
      `CONNECTION/${kind} does not support the following option(s): ${unsupported.join(',')}. ` +
        `Supported options: ${allowed.join(',')}.`,
    );
  }
  const missing = rule.required.filter((key) => !(key in options) && !exempt.includes(key));
  if (missing.length === 0) return;
  const list = missing.join(',');
  const errorInfo: ErrorDetail = {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'MISSING_CONNECTION_OPTION',
    domain: 'unity-catalog.databricks.com',
    metadata: { securable_type: 'CONNECTION', securable_kind: kind, options: list },
  };
  throw invalidParameter(`CONNECTION/${kind} must include the following option(s): ${list}.`, [errorInfo]);
}
