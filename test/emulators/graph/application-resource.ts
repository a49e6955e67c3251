import type { AppRegistration, PasswordCredential } from '../entra/index.js';
import { badRequest } from './errors.js';

/** The `passwordCredential` resource: secretText is only ever returned by addPassword (passwordcredential.md). */
export function passwordCredentialResource(
  credential: PasswordCredential,
  { withSecret }: { withSecret: boolean },
) {
  return {
    customKeyIdentifier: null,
    displayName: credential.displayName,
    endDateTime: credential.endDateTime,
    hint: credential.hint,
    keyId: credential.keyId,
    secretText: withSecret ? credential.secretText : null,
    startDateTime: credential.startDateTime,
  };
}

/**
 * The subset of the `application` resource the stand-in serves. Selecting any other property fails with the
 * OData error for an unknown property rather than returning a made-up value.
 */
function applicationProperties(app: AppRegistration, passwords: PasswordCredential[]) {
  return {
    id: app.objectId,
    appId: app.appId,
    displayName: app.displayName,
    keyCredentials: [],
    passwordCredentials: passwords.map((password) =>
      passwordCredentialResource(password, { withSecret: false }),
    ),
    web: { redirectUris: app.redirectUris },
  };
}

/**
 * GET /applications/{id}, with OData `$select` (https://learn.microsoft.com/graph/query-parameters#select).
 * The `@odata.context` names the selected properties, as Graph does.
 */
export function applicationResource(
  graphUrl: string,
  app: AppRegistration,
  passwords: PasswordCredential[],
  select: string | null,
) {
  const all = applicationProperties(app, passwords);
  if (select === null) return { '@odata.context': `${graphUrl}/v1.0/$metadata#applications/$entity`, ...all };
  const names = select
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const selected: Record<string, unknown> = {};
  for (const name of names) {
    if (!Object.hasOwn(all, name)) {
      throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.application'.`);
    }
    selected[name] = all[name as keyof typeof all];
  }
  return {
    '@odata.context': `${graphUrl}/v1.0/$metadata#applications(${names.join(',')})/$entity`,
    ...selected,
  };
}
