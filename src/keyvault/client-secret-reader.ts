import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import { PermanentError, TransientError } from '../errors.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';

export interface ClientSecret {
  value: string;
  /** Key Vault version id: what the inventory records as "applied". */
  version: string;
}

export interface ClientSecretReaderOptions {
  vaultUrl: string;
  credential: TokenCredential;
  scrubber: SecretScrubber;
  maxRetries: number;
  /**
   * First backoff of the SDK's exponential retry, and its cap. Defaults are the SDK's (1 s, 64 s:
   * @typespec/ts-http-runtime retryStrategies/exponentialRetryStrategy.js), which let one delivery spend
   * 15 s on four retries during an outage; pass the app's RETRY_BASE_DELAY_MS / RETRY_MAX_DELAY_MS.
   */
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

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
    this.#client ??= (async () => {
      const { SecretClient } = await import('@azure/keyvault-secrets');
      const { vaultUrl, credential, maxRetries, retryDelayInMs, maxRetryDelayInMs } = this.#options;
      // Challenge-resource verification only makes sense for *.vault.azure.net hosts; the local cloud and
      // private endpoints with other names need it off (local-stand-ins.md §2).
      const disableChallengeResourceVerification = !new URL(vaultUrl).hostname.endsWith('.vault.azure.net');
      return new SecretClient(vaultUrl, credential, {
        disableChallengeResourceVerification,
        retryOptions: {
          maxRetries,
          ...(retryDelayInMs === undefined ? {} : { retryDelayInMs }),
          ...(maxRetryDelayInMs === undefined ? {} : { maxRetryDelayInMs }),
        },
      });
    })();
    return this.#client;
  }
}
