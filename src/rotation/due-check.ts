import type { Settings } from '../config/settings.js';
import type { VaultSecret } from './rotation-vault.js';

export type DueDecision = { due: true; reason: string } | { due: false; nextDueAt: string };

const dayInMs = 24 * 60 * 60 * 1000;

/**
 * Whether the secret in Key Vault is due for rotation at `nowInMs`: older than ROTATION_MAX_SECRET_AGE_DAYS, or
 * its `exp` within ROTATION_EXPIRY_WARNING_DAYS. Age counts from the `rotatedAt` tag rotation writes (so an
 * injected clock and the record agree), else from the version's creation time. A secret whose age is unknown is
 * due: rotating once establishes it.
 */
export function checkDue(
  secret: Pick<VaultSecret, 'createdOn' | 'expiresOn' | 'tags'>,
  nowInMs: number,
  policy: Pick<Settings['rotation'], 'maxSecretAgeInDays' | 'expiryWarningInDays'>,
): DueDecision {
  const rotatedAt = Date.parse(secret.tags.rotatedAt ?? '');
  const since = Number.isNaN(rotatedAt) ? secret.createdOn?.getTime() : rotatedAt;
  if (since === undefined) return { due: true, reason: 'age: the secret version has no creation time' };
  const ageDueAt = since + policy.maxSecretAgeInDays * dayInMs;
  if (nowInMs >= ageDueAt) {
    const ageInDays = Math.floor((nowInMs - since) / dayInMs);
    return {
      due: true,
      reason: `age: the secret is ${ageInDays} days old (ROTATION_MAX_SECRET_AGE_DAYS=${policy.maxSecretAgeInDays})`,
    };
  }
  const expiresAt = secret.expiresOn?.getTime();
  const expiryDueAt =
    expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - policy.expiryWarningInDays * dayInMs;
  if (nowInMs >= expiryDueAt) {
    return {
      due: true,
      reason: `expiry: the secret expires at ${new Date(expiresAt as number).toISOString()} (ROTATION_EXPIRY_WARNING_DAYS=${policy.expiryWarningInDays})`,
    };
  }
  return { due: false, nextDueAt: new Date(Math.min(ageDueAt, expiryDueAt)).toISOString() };
}
