import { randomBytes, randomUUID } from 'node:crypto';
import { wellKnownResources } from './resources.js';
import type { AppRegistration, DirectoryUser, EntraDirectoryControl, PasswordCredential } from './types.js';

interface StoredPassword extends PasswordCredential {
  secretText: string;
  /** When addPassword ran; the propagation delay counts from here. */
  addedAtMs: number;
}

interface StoredApp extends AppRegistration {
  passwords: StoredPassword[];
  /** resource → app roles granted to this app's service principal. */
  appRoles: Map<string, Set<string>>;
  /** The secret the front door hands oidc-provider once it has checked the caller's real secret. */
  internalSecret: string;
}

interface StoredUser extends DirectoryUser {
  password: string;
}

export type SecretCheck = 'valid' | 'invalid' | 'expired';

const twoYearsInMs = 2 * 365 * 24 * 60 * 60 * 1000;
const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-';

/** 40 characters, inside Graph's documented 16–64 (Graph passwordCredential resource). */
function newSecretText(): string {
  return [...randomBytes(40)].map((byte) => secretAlphabet[byte % secretAlphabet.length]).join('');
}

/**
 * Redirect URI rules Entra enforces at registration: https (http only for localhost/127.0.0.1), at
 * most 256 characters, none of `! $ ' ( ) , ;`, no wildcards.
 * @see https://learn.microsoft.com/entra/identity-platform/reply-url
 */
function assertValidRedirectUri(uri: string): void {
  const parsed = URL.canParse(uri) ? new URL(uri) : undefined;
  const loopback = parsed?.hostname === 'localhost' || parsed?.hostname === '127.0.0.1';
  if (!parsed || (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))) {
    throw new Error(`Redirect URI '${uri}' must use https (http is allowed only for localhost).`);
  }
  if (uri.length > 256) throw new Error(`Redirect URI '${uri}' is longer than 256 characters.`);
  if (/[!$'(),;*]/.test(uri)) throw new Error(`Redirect URI '${uri}' contains a character Entra rejects.`);
}

/** The tenants' apps, service principals, secrets, app-role assignments and users. */
export class Directory implements EntraDirectoryControl {
  readonly #apps = new Map<string, StoredApp>();
  readonly #users = new Map<string, StoredUser>();

  constructor(
    readonly tenants: string[],
    private secretPropagationDelayInMs: number,
  ) {}

  get defaultTenantId(): string {
    return this.tenants[0] as string;
  }

  setSecretPropagationDelay(ms: number): void {
    this.secretPropagationDelayInMs = ms;
  }

  registerApp(input: { tenantId?: string; displayName: string; appId?: string; redirectUris?: string[] }) {
    const tenantId = this.#tenant(input.tenantId);
    const appId = input.appId ?? randomUUID();
    if (this.#apps.has(appId)) throw new Error(`An application with appId '${appId}' already exists.`);
    const redirectUris = [...(input.redirectUris ?? [])];
    redirectUris.forEach(assertValidRedirectUri);
    const app: StoredApp = {
      tenantId,
      appId,
      objectId: randomUUID(),
      servicePrincipalObjectId: randomUUID(),
      displayName: input.displayName,
      redirectUris,
      owners: [],
      passwords: [],
      appRoles: new Map(),
      internalSecret: randomBytes(32).toString('base64url'),
    };
    this.#apps.set(appId, app);
    return this.#public(app);
  }

  getApp(idOrAppId: string): AppRegistration | undefined {
    const app = this.#find(idOrAppId);
    return app && this.#public(app);
  }

  setRedirectUris(appIdOrObjectId: string, redirectUris: string[]): void {
    redirectUris.forEach(assertValidRedirectUri);
    this.#require(appIdOrObjectId).redirectUris = [...redirectUris];
  }

  addOwner(appIdOrObjectId: string, ownerAppId: string): void {
    const app = this.#require(appIdOrObjectId);
    const { appId: owner } = this.#require(ownerAppId);
    if (!app.owners.includes(owner)) app.owners.push(owner);
  }

  grantAppRole(appId: string, resource: string, role: string): void {
    const app = this.#require(appId);
    const roles = app.appRoles.get(resource) ?? new Set<string>();
    roles.add(role);
    app.appRoles.set(resource, roles);
  }

  /**
   * Defaults and shape from Graph `application: addPassword` (microsoft-graph-docs-contrib
   * application-addpassword.md).
   */
  addPassword(
    appIdOrObjectId: string,
    input: { displayName?: string; startDateTime?: string; endDateTime?: string } = {},
  ): PasswordCredential {
    const app = this.#require(appIdOrObjectId);
    const start = input.startDateTime ? new Date(input.startDateTime) : new Date();
    const end = input.endDateTime ? new Date(input.endDateTime) : new Date(start.getTime() + twoYearsInMs);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) {
      throw new Error('endDateTime must be a valid date after startDateTime.');
    }
    const secretText = newSecretText();
    const password: StoredPassword = {
      keyId: randomUUID(),
      secretText,
      hint: secretText.slice(0, 3),
      displayName: input.displayName ?? null,
      startDateTime: start.toISOString(),
      endDateTime: end.toISOString(),
      customKeyIdentifier: null,
      addedAtMs: Date.now(),
    };
    app.passwords.push(password);
    const { addedAtMs: _, ...credential } = password;
    return credential;
  }

  removePassword(appIdOrObjectId: string, keyId: string): boolean {
    const app = this.#require(appIdOrObjectId);
    const before = app.passwords.length;
    app.passwords = app.passwords.filter((password) => password.keyId !== keyId);
    return app.passwords.length < before;
  }

  listPasswords(appIdOrObjectId: string): PasswordCredential[] {
    return this.#require(appIdOrObjectId).passwords.map(({ addedAtMs: _, ...password }) => ({
      ...password,
      secretText: null,
    }));
  }

  addUser(input: { tenantId?: string; username: string; password: string; displayName?: string }) {
    const tenantId = this.#tenant(input.tenantId);
    if (this.findUser(tenantId, input.username)) throw new Error(`User '${input.username}' already exists.`);
    const user: StoredUser = {
      tenantId,
      objectId: randomUUID(),
      username: input.username,
      displayName: input.displayName ?? input.username,
      password: input.password,
    };
    this.#users.set(user.objectId, user);
    return { objectId: user.objectId, username: user.username };
  }

  /** An app is visible only in the tenant it is registered in. */
  appInTenant(tenantId: string, appId: string): AppRegistration | undefined {
    const app = this.#apps.get(appId);
    return app?.tenantId === tenantId ? this.#public(app) : undefined;
  }

  internalSecret(appId: string): string {
    return this.#require(appId).internalSecret;
  }

  /**
   * Several secrets are valid at once. A secret authenticates from `addedAt + propagation delay`
   * (microsoftgraph/microsoft-graph-docs-contrib#1921) and from its startDateTime, until its endDateTime.
   */
  checkClientSecret(appId: string, secretText: string): SecretCheck {
    const password = this.#require(appId).passwords.find((candidate) => candidate.secretText === secretText);
    if (!password) return 'invalid';
    const now = Date.now();
    if (now >= Date.parse(password.endDateTime)) return 'expired';
    const usableFrom = Math.max(
      password.addedAtMs + this.secretPropagationDelayInMs,
      Date.parse(password.startDateTime),
    );
    return now >= usableFrom ? 'valid' : 'invalid';
  }

  rolesFor(appId: string, resource: string): string[] {
    return [...(this.#require(appId).appRoles.get(resource) ?? [])];
  }

  /** Resources a token can be issued for: Microsoft's first-party APIs and the tenant's own apps. */
  isKnownResource(tenantId: string, resource: string): boolean {
    if ((Object.values(wellKnownResources) as string[]).includes(resource)) return true;
    const appId = resource.startsWith('api://') ? resource.slice('api://'.length) : resource;
    return this.appInTenant(tenantId, appId) !== undefined;
  }

  /** User principal names are case-insensitive. */
  findUser(tenantId: string, username: string): DirectoryUser | undefined {
    const wanted = username.toLowerCase();
    const user = [...this.#users.values()].find(
      (u) => u.tenantId === tenantId && u.username.toLowerCase() === wanted,
    );
    return user && this.#publicUser(user);
  }

  userById(objectId: string): DirectoryUser | undefined {
    const user = this.#users.get(objectId);
    return user && this.#publicUser(user);
  }

  passwordMatches(objectId: string, password: string): boolean {
    return this.#users.get(objectId)?.password === password;
  }

  #tenant(tenantId: string | undefined): string {
    const tenant = tenantId ?? this.defaultTenantId;
    if (!this.tenants.includes(tenant)) throw new Error(`Tenant '${tenant}' is not served by this stand-in.`);
    return tenant;
  }

  #find(idOrAppId: string): StoredApp | undefined {
    return this.#apps.get(idOrAppId) ?? [...this.#apps.values()].find((app) => app.objectId === idOrAppId);
  }

  #require(idOrAppId: string): StoredApp {
    const app = this.#find(idOrAppId);
    if (!app) throw new Error(`No application with appId or objectId '${idOrAppId}'.`);
    return app;
  }

  #public({ passwords: _p, appRoles: _r, internalSecret: _s, ...app }: StoredApp): AppRegistration {
    return { ...app, redirectUris: [...app.redirectUris], owners: [...app.owners] };
  }

  #publicUser({ password: _, ...user }: StoredUser): DirectoryUser {
    return { ...user };
  }
}
