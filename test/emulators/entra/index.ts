import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { startHttpsServer } from '../shared/https-server.js';
import { Directory } from './directory.js';
import { createFrontDoor } from './front-door.js';
import { createTenantProvider, type TokenSettings } from './provider.js';
import { signInProgrammatically } from './sign-in.js';
import { createSigningKey } from './signing-key.js';
import { TokenLog } from './token-log.js';
import type { EntraDirectoryControl, EntraOptions, EntraStandIn } from './types.js';

export { wellKnownResources } from './resources.js';
export { EntraSignInError, signInProgrammatically } from './sign-in.js';
export type {
  AppRegistration,
  DirectoryUser,
  EntraControl,
  EntraDirectoryControl,
  EntraOptions,
  EntraStandIn,
  PasswordCredential,
  SignInCredentials,
  SignInResult,
  TokenRequestRecord,
} from './types.js';

/**
 * Starts a Microsoft Entra ID stand-in over HTTPS on 127.0.0.1: oidc-provider per tenant behind a
 * front door that gives it Entra's URLs, client authentication, errors and token claims
 * (see README.md here). Point `@azure/identity` at it with
 * `{ authorityHost: entra.url, disableInstanceDiscovery: true }`.
 */
export async function startEntra(options: EntraOptions = {}): Promise<EntraStandIn> {
  const tenants = options.tenants?.length ? options.tenants : [randomUUID()];
  const directory = new Directory(tenants, options.secretPropagationDelayInMs ?? 0);
  const settings: TokenSettings = {
    accessTokenLifetimeInSeconds: options.accessTokenLifetimeInSeconds ?? 3600,
    authorizationCodeLifetimeInSeconds: options.authorizationCodeLifetimeInSeconds ?? 600,
  };
  const signingKey = createSigningKey();
  const tokenLog = new TokenLog();

  // Issuers contain the port, known only once the server listens: the handler is bound right after.
  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = await startHttpsServer((req, res) => handle?.(req, res), { port: options.port ?? 0 });
  const providers = new Map<string, Provider>();
  for (const tenantId of tenants) {
    providers.set(
      tenantId,
      await createTenantProvider({
        url: server.url,
        tenantId,
        directory,
        signingKey,
        settings,
        onTokenFailure: tokenLog.noteFailure,
      }),
    );
  }
  handle = createFrontDoor({ directory, providers, signingKey, tokenLog });

  const directoryControl: EntraDirectoryControl = {
    registerApp: (input) => directory.registerApp(input),
    getApp: (idOrAppId) => directory.getApp(idOrAppId),
    setRedirectUris: (app, uris) => directory.setRedirectUris(app, uris),
    addOwner: (app, ownerAppId) => directory.addOwner(app, ownerAppId),
    grantAppRole: (appId, resource, role) => directory.grantAppRole(appId, resource, role),
    addPassword: (app, input) => directory.addPassword(app, input),
    removePassword: (app, keyId) => directory.removePassword(app, keyId),
    listPasswords: (app) => directory.listPasswords(app),
    addUser: (input) => directory.addUser(input),
  };

  return {
    url: server.url,
    tenants: [...tenants],
    defaultTenantId: directory.defaultTenantId,
    issuer: (tenantId) => `${server.url}/${tenantId}/v2.0`,
    authorizeEndpoint: (tenantId) => `${server.url}/${tenantId}/oauth2/v2.0/authorize`,
    tokenEndpoint: (tenantId) => `${server.url}/${tenantId}/oauth2/v2.0/token`,
    jwksUrl: `${server.url}/common/discovery/v2.0/keys`,
    directory: directoryControl,
    control: {
      setSecretPropagationDelay: (ms) => directory.setSecretPropagationDelay(ms),
      setAccessTokenLifetime: (seconds) => {
        settings.accessTokenLifetimeInSeconds = seconds;
      },
      tokenRequests: () => tokenLog.all(),
      signIn: signInProgrammatically,
    },
    close: () => server.close(),
  };
}
