import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { Settings } from '../config/settings.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';

/** How the app reaches its vault; shared by the secret reader and rotation. */
export interface KeyVaultAccessOptions {
  vaultUrl: string;
  credential: TokenCredential;
  scrubber: SecretScrubber;
  maxRetries: number;
  /**
   * First backoff of the SDK's exponential retry, and its cap. The SDK's defaults (1 s, 64 s:
   * @typespec/ts-http-runtime retryStrategies/exponentialRetryStrategy.js) let one delivery spend 15 s on
   * four retries during an outage; the app passes RETRY_BASE_DELAY_MS / RETRY_MAX_DELAY_MS.
   */
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

export function keyVaultAccessFrom(
  settings: Pick<Settings, 'keyVaultUrl' | 'retry'>,
  credential: TokenCredential,
  scrubber: SecretScrubber,
): KeyVaultAccessOptions {
  return {
    vaultUrl: settings.keyVaultUrl,
    credential,
    scrubber,
    maxRetries: settings.retry.maxAttempts - 1,
    retryDelayInMs: settings.retry.baseDelayInMs,
    maxRetryDelayInMs: settings.retry.maxDelayInMs,
  };
}

/**
 * A `SecretClient` for the vault, loading the SDK on first use to keep cold start small. Challenge-resource
 * verification only suits `*.vault.azure.net` hosts; private endpoints under other names and the local
 * cloud need it off (@azure/keyvault-common keyVaultAuthenticationPolicy: "The challenge resource … does
 * not match the requested domain").
 */
export async function createSecretClient(options: KeyVaultAccessOptions): Promise<SecretClient> {
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const { vaultUrl, credential, maxRetries, retryDelayInMs, maxRetryDelayInMs } = options;
  return new SecretClient(vaultUrl, credential, {
    disableChallengeResourceVerification: !new URL(vaultUrl).hostname.endsWith('.vault.azure.net'),
    retryOptions: {
      maxRetries,
      ...(retryDelayInMs === undefined ? {} : { retryDelayInMs }),
      ...(maxRetryDelayInMs === undefined ? {} : { maxRetryDelayInMs }),
    },
  });
}
