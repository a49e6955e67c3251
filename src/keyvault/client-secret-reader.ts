import type { SecretClient } from '@azure/keyvault-secrets';
import { PermanentError, TransientError } from '../errors.js';
import { createSecretClient, type KeyVaultAccessOptions } from './key-vault-access.js';

export interface ClientSecret {
  value: string;
  /** Key Vault version id: what the inventory records as "applied". */
  version: string;
}

/** @see KeyVaultAccessOptions */
export type ClientSecretReaderOptions = KeyVaultAccessOptions;

/**
 * Reads client secrets by reference. A missing secret or a vault that refuses us is the requester's
 * (or an operator's) to fix, so it rejects the request; throttling and outages are transient.
 */
export class ClientSecretReader {
  readonly #options: ClientSecretReaderOptions;
  #client: Promise<SecretClient> | undefined;

  constructor(options: ClientSecretReaderOptions) {
    this.#options = options;
  }

  async read(name: string): Promise<ClientSecret> {
    const client = await this.#getClient();
    try {
      const secret = await client.getSecret(name);
      if (secret.value === undefined || secret.properties.version === undefined) {
        throw PermanentError.rejected(
          'SECRET_NOT_FOUND',
          `Key Vault secret '${name}' has no value.`,
          'auth.clientSecretRef',
        );
      }
      this.#options.scrubber.remember(secret.value);
      return { value: secret.value, version: secret.properties.version };
    } catch (error) {
      throw this.#classify(error, name);
    }
  }

  #classify(error: unknown, name: string): Error {
    if (error instanceof PermanentError) return error;
    const status = (error as { statusCode?: number }).statusCode;
    const vault = this.#options.vaultUrl;
    if (status === 404) {
      return PermanentError.rejected(
        'SECRET_NOT_FOUND',
        `auth.clientSecretRef: Key Vault secret '${name}' was not found in ${vault}; create it or correct the name.`,
        'auth.clientSecretRef',
      );
    }
    if (status === 403) {
      // 403 covers both a missing role assignment and a disabled secret; Key Vault's message says which.
      const detail = (error as { code?: string }).code ?? 'Forbidden';
      return PermanentError.rejected(
        'KEY_VAULT_FORBIDDEN',
        `Key Vault ${vault} refused to return secret '${name}' (${detail}): grant the provisioner's identity the 'Key Vault Secrets User' role on the vault, and check that the secret is enabled.`,
        'auth.clientSecretRef',
      );
    }
    return new TransientError('keyvault', `Key Vault ${vault} is unavailable (${status ?? 'no response'}).`, {
      cause: error,
    });
  }

  #getClient(): Promise<SecretClient> {
    this.#client ??= createSecretClient(this.#options);
    return this.#client;
  }
}
