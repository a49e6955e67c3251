import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../config/settings.js';

/**
 * The app's own identity. In Azure: the user-assigned managed identity (AZURE_CLIENT_ID). Locally:
 * a client secret from settings. A custom authority host (a sovereign cloud, or the local cloud)
 * needs `disableInstanceDiscovery`, or MSAL asks Microsoft's public discovery endpoint first.
 * `@azure/identity` is imported on first use to keep cold start small.
 */
export async function createCredential(identity: Settings['identity']): Promise<TokenCredential> {
  const { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential } = await import(
    '@azure/identity'
  );
  const authority = identity.authorityHost
    ? { authorityHost: identity.authorityHost, disableInstanceDiscovery: true }
    : {};
  if (identity.clientSecret && identity.tenantId && identity.clientId) {
    return new ClientSecretCredential(identity.tenantId, identity.clientId, identity.clientSecret, authority);
  }
  if (identity.clientId) return new ManagedIdentityCredential({ clientId: identity.clientId });
  return new DefaultAzureCredential(authority);
}
