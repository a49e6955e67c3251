import type { SecretRotationResult } from '../../src/rotation/rotate-secret.js';
import type { RotationRecord } from '../../src/rotation/rotation-record.js';
import type { RotationReport } from './rotation-client.js';

/** One row per app registration and secret: rotated ones with their state, the others as never rotated. */
export function rotationRows(report: RotationReport): string[][] {
  const rows = report.rotations.map((record) => [
    record.clientId,
    record.clientSecretRef,
    record.state,
    record.updatedAt,
    whatNext(record),
  ]);
  for (const app of report.apps) {
    for (const ref of app.clientSecretRefs) {
      const known = report.rotations.some(
        (record) =>
          record.clientId === app.clientId && record.clientSecretRef.toLowerCase() === ref.toLowerCase(),
      );
      if (!known)
        rows.push([app.clientId, ref, 'never rotated', '', `${app.connections} connection(s) use it`]);
    }
  }
  return rows;
}

export const rotationColumns = ['CLIENT ID', 'SECRET', 'STATE', 'UPDATED (UTC)', 'NEXT / PROBLEM'];

/** What happens next, or what a person must do. */
export function whatNext(record: RotationRecord): string {
  if (record.problem) {
    return `${record.problem.needsOperator ? 'ACTION NEEDED' : 'retrying'}: ${record.problem.code} — ${record.problem.message}`;
  }
  switch (record.state) {
    case 'completed':
      return `done; old secret ${record.oldSecret === 'removed' ? 'removed' : (record.oldSecret ?? 'handled')}`;
    case 'connections_updated':
      return `old secret removed after ${record.removeOldSecretAfter ?? 'the grace period'}`;
    default:
      return 'in progress; the next run continues';
  }
}

/** The lines `ucprov rotate` prints per secret. */
export function formatRotationResult(
  result: SecretRotationResult,
  record: RotationRecord | undefined,
): string[] {
  const lines = [`${result.clientId} / ${result.clientSecretRef}: ${describeOutcome(result)}`];
  if (record) {
    for (const connection of record.connections) {
      lines.push(
        `  ${connection.workspace} ${connection.name}: ${connection.outcome}${connection.detail ? ` (${connection.detail})` : ''}`,
      );
    }
  }
  if (result.problem) lines.push(`  ${result.problem.code}: ${result.problem.message}`);
  return lines;
}

function describeOutcome(result: SecretRotationResult): string {
  switch (result.outcome) {
    case 'completed':
      return 'rotated; the old secret is removed';
    case 'waiting_for_grace':
      return 'every connection uses the new secret; the old one is removed after the grace period';
    case 'not_due':
      return `not due (next ${result.nextDueAt ?? 'later'})`;
    case 'locked':
      return 'another rotation run holds this app; try again in a few minutes';
    case 'retry_later':
      return `stopped at ${result.state ?? 'the start'}; the next run continues`;
    case 'needs_attention':
      return `stopped at ${result.state ?? 'the start'}; a person must act`;
  }
}
