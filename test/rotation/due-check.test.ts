import { describe, expect, it } from 'vitest';
import { credentialDisplayName, rotationRunIdOf } from '../../src/rotation/credential-marker.js';
import { checkDue } from '../../src/rotation/due-check.js';

const day = 24 * 3600_000;
const policy = { maxSecretAgeInDays: 90, expiryWarningInDays: 30 };
const created = Date.parse('2030-01-01T00:00:00Z');

describe('checkDue', () => {
  it('is not due while the secret is younger than the maximum age and far from exp; says when it will be', () => {
    expect(checkDue({ createdOn: new Date(created), tags: {} }, created + 89 * day, policy)).toEqual({
      due: false,
      nextDueAt: new Date(created + 90 * day).toISOString(),
    });
  });

  it('is due once the secret is as old as ROTATION_MAX_SECRET_AGE_DAYS', () => {
    expect(checkDue({ createdOn: new Date(created), tags: {} }, created + 90 * day, policy)).toEqual({
      due: true,
      reason: 'age: the secret is 90 days old (ROTATION_MAX_SECRET_AGE_DAYS=90)',
    });
  });

  it('counts age from the rotatedAt tag rotation wrote, not from the version creation time', () => {
    const rotatedAt = new Date(created + 60 * day).toISOString();
    expect(
      checkDue({ createdOn: new Date(created), tags: { rotatedAt } }, created + 100 * day, policy),
    ).toMatchObject({
      due: false,
    });
  });

  it('is due when exp falls within ROTATION_EXPIRY_WARNING_DAYS, and otherwise names the earlier of both dates', () => {
    const expiresOn = new Date(created + 40 * day);
    expect(
      checkDue({ createdOn: new Date(created), expiresOn, tags: {} }, created + 10 * day, policy),
    ).toMatchObject({
      due: true,
      reason: `expiry: the secret expires at ${expiresOn.toISOString()} (ROTATION_EXPIRY_WARNING_DAYS=30)`,
    });
    expect(
      checkDue({ createdOn: new Date(created), expiresOn, tags: {} }, created + 5 * day, policy),
    ).toEqual({
      due: false,
      nextDueAt: new Date(created + 10 * day).toISOString(),
    });
  });

  it('treats a secret of unknown age as due, so one rotation establishes it', () => {
    expect(checkDue({ tags: {} }, created, policy)).toMatchObject({ due: true });
  });
});

describe('credential display name', () => {
  it('marks a credential as added by rotation and names the run; anything else is not ours', () => {
    expect(credentialDisplayName('run-1')).toBe('ucprov-rotation:run-1');
    expect(rotationRunIdOf('ucprov-rotation:run-1')).toBe('run-1');
    expect(rotationRunIdOf('ucprov-rotation:')).toBeUndefined();
    expect(rotationRunIdOf('initial')).toBeUndefined();
    expect(rotationRunIdOf(null)).toBeUndefined();
  });
});
