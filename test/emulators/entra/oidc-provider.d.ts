/**
 * The slice of oidc-provider 9.13.3's API the Entra stand-in uses (the package ships no types).
 * Names follow node_modules/oidc-provider/lib; see docs/README.md of panva/node-oidc-provider.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type UnknownRecord = Record<string, unknown>;

  export interface Client {
    clientId: string;
    grantTypeAllowed(type: string): boolean;
  }

  /** AccessToken, ClientCredentials or RefreshToken, as handed to hooks. */
  export interface IssuedToken {
    kind: string;
    clientId: string;
    accountId?: string;
    scope?: string;
    aud?: string | string[];
  }

  export interface OidcContext {
    route: string;
    params?: UnknownRecord;
    entities: UnknownRecord;
    client?: Client;
  }

  export interface KoaContext {
    oidc: OidcContext;
    status: number;
    body: unknown;
    type: string;
    state: UnknownRecord;
    req: IncomingMessage;
    response: { get(header: string): string; set(header: string, value: string): void };
  }

  export type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

  export interface OidcProviderError extends Error {
    error: string;
    error_description?: string;
    error_detail?: string;
  }

  export interface ResourceServer {
    scope: string;
    audience: string;
    accessTokenFormat: 'jwt' | 'opaque';
    accessTokenTTL?: number;
    jwt?: { sign: { alg: string } };
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): UnknownRecord | Promise<UnknownRecord>;
  }

  export interface Interaction {
    uid: string;
    prompt: { name: string; details: UnknownRecord };
    params: UnknownRecord;
    session?: { accountId?: string };
    grantId?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantModel {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface AdapterPayload extends UnknownRecord {
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Configuration {
    adapter: (modelName: string) => Adapter;
    jwks: { keys: UnknownRecord[] };
    cookies: { keys: string[] };
    routes: Record<string, string>;
    scopes: string[];
    claims: Record<string, string[]>;
    conformIdTokenClaims: boolean;
    responseTypes: string[];
    allowOmittingSingleRegisteredRedirectUri: boolean;
    pkce: { required: () => boolean };
    features: UnknownRecord;
    ttl: Record<string, number | ((ctx: KoaContext, token: IssuedToken, client: Client) => number)>;
    formats: {
      customizers: {
        jwt: (
          ctx: KoaContext,
          token: IssuedToken,
          jwt: { header?: UnknownRecord; payload: UnknownRecord },
        ) => void | Promise<void>;
      };
    };
    interactions: { url: (ctx: KoaContext, interaction: Interaction) => string | Promise<string> };
    findAccount: (ctx: KoaContext, sub: string) => Promise<Account | undefined>;
    issueRefreshToken: (ctx: KoaContext, client: Client, code: { scopes: Set<string> }) => Promise<boolean>;
    rotateRefreshToken: boolean;
    renderError: (ctx: KoaContext, out: UnknownRecord, error: OidcProviderError) => void | Promise<void>;
    clientBasedCORS: () => boolean;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Partial<Configuration>);
    Grant: GrantModel;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: Middleware): this;
    on(event: string, listener: (ctx: KoaContext, error: OidcProviderError) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: UnknownRecord): Promise<void>;
  }

  export const errors: {
    CustomOIDCProviderError: new (error: string, description: string) => OidcProviderError;
  };
}
