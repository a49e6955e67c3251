import {
  buildOptions,
  type OptionContext,
  u2mOptionTable,
  writeOnlyOptions,
} from '../provisioning/connection-options.js';
import { fingerprint } from '../provisioning/fingerprint.js';
import type { U2mIntent } from './u2m-intent.js';

/**
 * The inventory fingerprint of a U2M connection, in the M2M format `<connection>.<extras>` (see
 * upsert-connection.ts): the non-secret options (redirect URI and authorize endpoint included), the secret
 * reference and version, and the owner; then the grants and foreign catalog. Databricks never returns
 * secrets, so this is what "unchanged" is decided against (terraform-provider-databricks
 * catalog/resource_connection.go keeps its own copies "as API doesn't return them").
 */
export function u2mConnectionFingerprint(input: {
  intent: Pick<U2mIntent, 'connection' | 'auth'>;
  secretVersion: string;
  authorityHost: string;
  redirectUri: string;
}): string {
  const context: OptionContext = {
    request: input.intent,
    clientSecret: '',
    authorityHost: input.authorityHost,
    signIn: { redirectUri: input.redirectUri },
  };
  const options = Object.fromEntries(
    Object.entries(buildOptions(u2mOptionTable, context)).filter(([key]) => !writeOnlyOptions.has(key)),
  );
  return fingerprint({
    options,
    secretRef: input.intent.auth.clientSecretRef,
    secretVersion: input.secretVersion,
    owner: input.intent.connection.owner,
  });
}

export function extrasFingerprint(intent: Pick<U2mIntent, 'grants' | 'foreignCatalog'>): string {
  return fingerprint({ grants: intent.grants, foreignCatalog: intent.foreignCatalog });
}

/** The extras half of a stored `<connection>.<extras>` fingerprint. */
export function appliedExtrasOf(storedFingerprint: string): string | undefined {
  const dot = storedFingerprint.indexOf('.');
  return dot < 0 ? undefined : storedFingerprint.slice(dot + 1);
}
