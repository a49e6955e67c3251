import type { SecretClient } from '@azure/keyvault-secrets';
import { TransientError } from '../errors.js';
import { createSecretClient, type KeyVaultAccessOptions } from '../keyvault/key-vault-access.js';
import { RotationError } from './rotation-error.js';

/** One Key Vault secret version as rotation sees it. */
export interface VaultSecret {
  value: string;
  version: string;
  createdOn?: Date;
  /** `exp`: informational, Key Vault does not enforce it (about-secrets). */
  expiresOn?: Date;
  tags: Record<string, string>;
}

export interface StoreSecretInput {
  value: string;
  expiresOn: Date;
  tags: Record<string, string>;
}

export type RotationVaultOptions = KeyVaultAccessOptions;

/**
 * What rotation reads from and writes to Key Vault: the current version, every version's `keyId` tag, and a
 * new version. A new version is what `ClientSecretReader` and the M2M upsert read next (they ask for the latest).
 * Convention (docs/secret-rotation.md): value = the client secret, `exp` = Graph `endDateTime`, contentType
 * `application/x-entra-client-secret`, tags keyId / previousKeyId / rotatedAt.
 */
export class RotationVault {
  static readonly contentType = 'application/x-entra-client-secret';
  readonly #options: RotationVaultOptions;
  #client: Promise<SecretClient> | undefined;

  constructor(options: RotationVaultOptions) {
    this.#options = options;
  }

  /** The latest version, value included (it is what connections get). */
  current(name: string): Promise<VaultSecret> {
    return this.#call(name, 'read', async (client) => this.#toVaultSecret(await client.getSecret(name)));
  }

  /** One version by id. */
  version(name: string, version: string): Promise<VaultSecret> {
    return this.#call(name, 'read', async (client) =>
      this.#toVaultSecret(await client.getSecret(name, { version })),
    );
  }

  /** The `keyId` tag of every version: which Entra credentials have their secret text in the vault. */
  keyIdsOf(name: string): Promise<Set<string>> {
    return this.#call(name, 'list the versions of', async (client) => {
      const keyIds = new Set<string>();
      for await (const properties of client.listPropertiesOfSecretVersions(name)) {
        const keyId = properties.tags?.keyId;
        if (keyId) keyIds.add(keyId.toLowerCase());
      }
      return keyIds;
    });
  }

  /** Writes a new version (Set Secret always creates one) and returns its version id. */
  store(name: string, input: StoreSecretInput): Promise<string> {
    this.#options.scrubber.remember(input.value);
    return this.#call(name, 'write', async (client) => {
      const stored = await client.setSecret(name, input.value, {
        contentType: RotationVault.contentType,
        expiresOn: input.expiresOn,
        tags: input.tags,
      });
      if (!stored.properties.version) throw new Error('Key Vault returned no version for a new secret.');
      return stored.properties.version;
    });
  }

  #toVaultSecret(secret: Awaited<ReturnType<SecretClient['getSecret']>>): VaultSecret {
    if (secret.value === undefined || !secret.properties.version) {
      throw new RotationError(
        'SECRET_NOT_FOUND',
        `Key Vault secret '${secret.name}' has no value; store the app's current client secret in it.`,
        { needsOperator: true },
      );
    }
    this.#options.scrubber.remember(secret.value);
    return {
      value: secret.value,
      version: secret.properties.version,
      ...(secret.properties.createdOn ? { createdOn: secret.properties.createdOn } : {}),
      ...(secret.properties.expiresOn ? { expiresOn: secret.properties.expiresOn } : {}),
      tags: { ...(secret.properties.tags ?? {}) },
    };
  }

  async #call<T>(name: string, what: string, operation: (client: SecretClient) => Promise<T>): Promise<T> {
    const client = await this.#getClient();
    try {
      return await operation(client);
    } catch (error) {
      throw this.#classify(error, name, what);
    }
  }

  #classify(error: unknown, name: string, what: string): unknown {
    if (error instanceof RotationError) return error;
    const status = (error as { statusCode?: number }).statusCode;
    const vault = this.#options.vaultUrl;
    if (status === 404) {
      return new RotationError(
        'SECRET_NOT_FOUND',
        `Key Vault secret '${name}' was not found in ${vault}; the connections reference it, so restore it (or re-submit them with the right clientSecretRef).`,
        { needsOperator: true, cause: error },
      );
    }
    if (status === 403) {
      // 403 covers a missing role assignment and a disabled secret; Key Vault's code says which.
      const code = (error as { code?: string }).code ?? 'Forbidden';
      return new RotationError(
        'KEY_VAULT_FORBIDDEN',
        `Key Vault ${vault} refused to ${what} secret '${name}' (${code}): grant the provisioner's identity the 'Key Vault Secrets Officer' role (b86a8fe4-44ce-4948-aee5-eccb2c155cd7) on the vault — rotation writes new versions — and check that the secret is enabled.`,
        { needsOperator: true, cause: error },
      );
    }
    if (status === undefined && !(error as { code?: string }).code) return error; // a bug, not the vault
    return new TransientError(
      'keyvault',
      `Key Vault ${vault} is unavailable (${status ?? (error as { code?: string }).code}) while trying to ${what} secret '${name}'.`,
      { cause: error },
    );
  }

  #getClient(): Promise<SecretClient> {
    this.#client ??= createSecretClient(this.#options);
    return this.#client;
  }
}
