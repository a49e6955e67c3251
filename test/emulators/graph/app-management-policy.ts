import { GraphError } from './errors.js';

/**
 * The tenant's app-management policy, reduced to the `passwordAddition` restriction
 * (https://learn.microsoft.com/graph/api/resources/tenantappmanagementpolicy).
 */
export class PasswordAdditionPolicy {
  #everyApp = false;
  readonly #apps = new Set<string>();

  /** Blocks new password credentials for one app (by appId), or for every app when none is given. */
  block(appId?: string): void {
    if (appId === undefined) this.#everyApp = true;
    else this.#apps.add(appId);
  }

  blocks(appId: string): boolean {
    return this.#everyApp || this.#apps.has(appId);
  }

  /**
   * Code `CredentialTypeNotAllowedAsPerAppPolicy` as listed in microsoft/teams-toolkit (`aadErrorCode`), message as
   * printed by `az ad app credential reset` in such tenants (e.g. KelvinTegelaar/CIPP-API). Status 400 is [inferred].
   */
  error(): GraphError {
    return new GraphError(
      400,
      'CredentialTypeNotAllowedAsPerAppPolicy',
      'Credential type not allowed as per assigned policy',
    );
  }
}
