/**
 * Key Vault's data-plane error: `{"error":{"code","message","innererror"?:{"code"}}}`.
 * The SDK maps `code` to `RestError.code` and keeps the body in `details`
 * (`@azure/keyvault-secrets` models.js `keyVaultErrorDeserializer` reads `innererror`).
 */
export class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
  ) {
    super(message);
  }

  toBody() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}),
      },
    };
  }
}

/** @see https://github.com/Azure/azure-sdk-for-js/issues/25489 (message text observed with api-version 7.4) */
export const secretNotFound = (name: string) =>
  new KeyVaultError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );

/** @see azure-sdk-for-js keyvault-secrets recordings `recording_can_list_secrets_by_page.js` (GET /deletedsecrets/{name} → 404) */
export const deletedSecretNotFound = (name: string) =>
  new KeyVaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);

/** @see https://github.com/Azure/azure-sdk-for-js/issues/24756 (403 Forbidden, innererror SecretDisabled) */
export const secretDisabled = () =>
  new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');

/**
 * @see azure-sdk-for-net Secrets Sample4 (409 Conflict, innererror ObjectIsDeletedButRecoverable); message as
 * printed by `az keyvault secret set` on a soft-deleted name.
 */
export const deletedButRecoverable = (name: string) =>
  new KeyVaultError(
    409,
    'Conflict',
    `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
    'ObjectIsDeletedButRecoverable',
  );

/** Inner code from azure-sdk-for-net Secrets Sample4; the message text is [inferred]. */
export const beingDeleted = (name: string) =>
  new KeyVaultError(409, 'Conflict', `Secret ${name} is currently being deleted.`, 'ObjectIsBeingDeleted');

/** @see https://github.com/aspnet/MicrosoftConfigurationBuilders/issues/22 ("The request URI contains an invalid name") */
export const invalidName = (name: string) =>
  new KeyVaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);

/** Code BadParameter as for other request validation; the message text is [inferred]. */
export const badParameter = (message: string) => new KeyVaultError(400, 'BadParameter', message);

/** @see azure-sdk-for-js recordings `recording_cannot_create_a_secret_with_an_empty_name.js` (PUT /secrets/ → 405) */
export const methodNotAllowed = (method: string) =>
  new KeyVaultError(405, 'MethodNotAllowed', `HTTP ${method} not allowed`);

/** Setting a name whose recovery is still completing: status and code as for deletion, message [inferred]. */
export const beingRecovered = (name: string) =>
  new KeyVaultError(409, 'Conflict', `Secret ${name} is currently being recovered.`);
