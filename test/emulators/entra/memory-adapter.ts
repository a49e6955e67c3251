import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Directory } from './directory.js';

/**
 * oidc-provider storage for one tenant. Entries are kept for the life of the stand-in: oidc-provider
 * checks expiry itself, and a code must stay findable after it expires or is used so that a replay is
 * reported as expired (AADSTS70008) or already redeemed (AADSTS54005) rather than unknown.
 */
export function createAdapterFactory(tenantId: string, directory: Directory) {
  const store = new Map<string, AdapterPayload>();

  return function adapterFor(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    const findWhere = async (field: 'uid' | 'userCode', value: string) =>
      [...store.entries()].find(([k, payload]) => k.startsWith(`${model}:`) && payload[field] === value)?.[1];

    return {
      async upsert(id, payload) {
        store.set(key(id), payload);
      },
      async find(id) {
        // Clients are not stored: they are the directory's app registrations, read on every request so
        // that redirect URI changes apply at once.
        return model === 'Client' ? clientMetadata(tenantId, directory, id) : store.get(key(id));
      },
      findByUid: (uid) => findWhere('uid', uid),
      findByUserCode: (userCode) => findWhere('userCode', userCode),
      async consume(id) {
        const payload = store.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [k, payload] of store) if (payload.grantId === grantId) store.delete(k);
      },
    };
  };
}

/** An app registration as an oidc-provider confidential client (client_secret_post, what MSAL sends). */
function clientMetadata(tenantId: string, directory: Directory, appId: string): AdapterPayload | undefined {
  const app = directory.appInTenant(tenantId, appId);
  if (!app) return undefined;
  const interactive = app.redirectUris.length > 0;
  return {
    client_id: app.appId,
    client_secret: directory.internalSecret(app.appId),
    client_name: app.displayName,
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: app.redirectUris,
    response_types: interactive ? ['code'] : [],
    grant_types: interactive
      ? ['authorization_code', 'refresh_token', 'client_credentials']
      : ['client_credentials'],
  };
}
