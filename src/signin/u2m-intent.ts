import type { UpsertRequest } from '../request/connection-request-schema.js';

/**
 * What a U2M sign-in will apply once the code comes back: everything the callback needs, decided when
 * the link is issued, so the callback reads no request. Holds no secret (the client secret is read from
 * Key Vault at the callback; code and verifier exist only then).
 */
export interface U2mIntent {
  requestId: string;
  action: 'upsert' | 'reauthorize';
  workspace: string;
  /** Enqueue time in ms: orders requests for one connection (the inventory's `lastRequestSequence`). */
  ordering: number;
  requestedBy?: string;
  /** Who receives the link and is expected to sign in (`login_hint`, R5). */
  approver: string;
  /** `name` is lower-case: Unity Catalog names are case-insensitive. */
  connection: UpsertRequest['connection'];
  auth: { tenantId: string; clientId: string; clientSecretRef: string };
  grants?: UpsertRequest['grants'];
  foreignCatalog?: UpsertRequest['foreignCatalog'];
  /**
   * `create`: the connection does not exist yet. `patch`: it exists and is ours (or `adopt: true`); PATCH
   * replaces all options, so the fresh code and verifier go with the full option set either way.
   */
  write: 'create' | 'patch';
  /** `reauthorize` keeps the grants and foreign catalog already applied: their fingerprint, carried over. */
  appliedExtrasFingerprint?: string;
}

/** The settings of the last U2M sign-in that succeeded for a connection: what `reauthorize` re-applies. */
export type U2mProfile = Pick<U2mIntent, 'workspace' | 'approver' | 'connection' | 'auth' | 'requestedBy'>;
