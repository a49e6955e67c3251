/** Public shapes of the Entra ID stand-in; `index.ts` re-exports them. */

export interface EntraOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Tenant ids (GUIDs) served; default one random GUID. */
  tenants?: string[];
  /** New client secrets authenticate only this long after creation; default 0. */
  secretPropagationDelayInMs?: number;
  /** Lifetime of every access token; default 3600. */
  accessTokenLifetimeInSeconds?: number;
  /** Lifetime of authorization codes; default 600 ("about 10 minutes", v2-oauth2-auth-code-flow.md). */
  authorizationCodeLifetimeInSeconds?: number;
}

/** Graph `passwordCredential` (microsoft-graph-docs-contrib resources/passwordcredential.md). */
export interface PasswordCredential {
  keyId: string;
  secretText: string | null;
  hint: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  customKeyIdentifier: null;
}

export interface AppRegistration {
  tenantId: string;
  appId: string;
  objectId: string;
  servicePrincipalObjectId: string;
  displayName: string;
  /** Web platform redirect URIs (exact, case-sensitive match). */
  redirectUris: string[];
  /** appIds of service principals that own this app (for Graph Application.ReadWrite.OwnedBy). */
  owners: string[];
}

export interface DirectoryUser {
  tenantId: string;
  objectId: string;
  username: string;
  displayName: string;
}

export interface TokenRequestRecord {
  tenantId: string;
  grantType: string;
  clientId: string;
  scope: string;
  status: number;
  /** The OAuth `error`, e.g. `invalid_client`. */
  error?: string;
  /** The AADSTS number, e.g. 7000215. */
  errorCode?: number;
}

export interface SignInCredentials {
  username: string;
  password: string;
  /** What to answer on the consent page; default 'accept'. */
  consent?: 'accept' | 'decline';
}

/** What Entra sends back to the redirect URI after an interactive sign-in. */
export interface SignInResult {
  redirectUri: string;
  responseMode: 'form_post' | 'query';
  code?: string;
  state?: string;
  error?: string;
  errorDescription?: string;
  /** Every parameter Entra sent, to replay the exact request against the app's redirect URI. */
  parameters: Record<string, string>;
}

export interface EntraDirectoryControl {
  registerApp(input: {
    tenantId?: string;
    displayName: string;
    appId?: string;
    redirectUris?: string[];
  }): AppRegistration;
  /** By appId or objectId. */
  getApp(idOrAppId: string): AppRegistration | undefined;
  /** Replaces the app's Web redirect URIs (what a Graph `PATCH /applications/{id}` with `web.redirectUris` does). */
  setRedirectUris(appIdOrObjectId: string, redirectUris: string[]): void;
  addOwner(appIdOrObjectId: string, ownerAppId: string): void;
  /** App-role assignment: tokens for `resource` issued to `appId` carry `roles` including `role`. */
  grantAppRole(appId: string, resource: string, role: string): void;
  /** Returns the secret text once, as Graph addPassword does. */
  addPassword(
    appIdOrObjectId: string,
    input?: { displayName?: string; startDateTime?: string; endDateTime?: string },
  ): PasswordCredential;
  removePassword(appIdOrObjectId: string, keyId: string): boolean;
  /** secretText null, hint kept. */
  listPasswords(appIdOrObjectId: string): PasswordCredential[];
  addUser(input: { tenantId?: string; username: string; password: string; displayName?: string }): {
    objectId: string;
    username: string;
  };
}

export interface EntraControl {
  setSecretPropagationDelay(ms: number): void;
  setAccessTokenLifetime(seconds: number): void;
  /** Every token-endpoint call seen (grant_type, client_id, scope, outcome) — never secret values. */
  tokenRequests(): TokenRequestRecord[];
  /** Drives /authorize → login → consent like a browser; returns what Entra posts or redirects to the app. */
  signIn(authorizeUrl: string, credentials: SignInCredentials): Promise<SignInResult>;
}

export interface EntraStandIn {
  /** `https://127.0.0.1:PORT` — the authorityHost for @azure/identity. */
  url: string;
  tenants: string[];
  defaultTenantId: string;
  issuer(tenantId: string): string;
  authorizeEndpoint(tenantId: string): string;
  tokenEndpoint(tenantId: string): string;
  /** One key set for all tenants, as Entra. */
  jwksUrl: string;
  directory: EntraDirectoryControl;
  control: EntraControl;
  close(): Promise<void>;
}
