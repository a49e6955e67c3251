import type { SecretView } from './secret-store.js';

/**
 * JSON shapes of secret bundles and list items. Optional fields (`contentType`, `tags`, `nbf`, `exp`) are left
 * out when unset, and `recoveryLevel`/`recoverableDays` follow the vault's retention, as in the
 * azure-sdk-for-js keyvault-secrets recordings (e.g. `recording_can_list_secrets_by_page.js`).
 */
export class SecretWireFormat {
  constructor(
    private readonly vaultUrl: string,
    private readonly softDeleteRetentionInDays: number,
  ) {}

  /** GET/PUT/recover answer: the full bundle; `includeValue: false` for PATCH, which returns no value. */
  bundle(view: SecretView, { includeValue }: { includeValue: boolean }) {
    return {
      ...(includeValue ? { value: view.version.value } : {}),
      id: this.#id(view.name, view.version.version),
      ...this.#properties(view),
    };
  }

  /** DELETE and GET /deletedsecrets/{name}: the bundle (without value) plus the deletion record. */
  deletedBundle(view: SecretView) {
    return { ...this.#deletion(view), ...this.bundle(view, { includeValue: false }) };
  }

  /** List items carry no value; plain and deleted lists use the versionless id. */
  item(view: SecretView, { withVersion }: { withVersion: boolean }) {
    return {
      id: this.#id(view.name, withVersion ? view.version.version : undefined),
      ...this.#properties(view),
    };
  }

  deletedItem(view: SecretView) {
    return { ...this.#deletion(view), ...this.item(view, { withVersion: false }) };
  }

  #id(name: string, version?: string): string {
    return version === undefined
      ? `${this.vaultUrl}/secrets/${name}`
      : `${this.vaultUrl}/secrets/${name}/${version}`;
  }

  #properties({ version }: SecretView) {
    return {
      ...(version.contentType !== undefined ? { contentType: version.contentType } : {}),
      ...(version.tags !== undefined ? { tags: version.tags } : {}),
      attributes: {
        enabled: version.enabled,
        ...(version.nbf !== undefined ? { nbf: version.nbf } : {}),
        ...(version.exp !== undefined ? { exp: version.exp } : {}),
        created: version.created,
        updated: version.updated,
        recoveryLevel: this.#recoveryLevel(),
        recoverableDays: this.softDeleteRetentionInDays,
      },
    };
  }

  #deletion(view: SecretView) {
    return {
      recoveryId: `${this.vaultUrl}/deletedsecrets/${view.name}`,
      deletedDate: view.deletion?.deletedDate,
      scheduledPurgeDate: view.deletion?.scheduledPurgeDate,
    };
  }

  /**
   * 90 days is "Recoverable+Purgeable"; a shorter retention (7–89) is "CustomizedRecoverable+Purgeable"
   * (`KnownDeletionRecoveryLevel` in `@azure/keyvault-secrets` models.js).
   */
  #recoveryLevel(): string {
    return this.softDeleteRetentionInDays >= 90 ? 'Recoverable+Purgeable' : 'CustomizedRecoverable+Purgeable';
  }
}
