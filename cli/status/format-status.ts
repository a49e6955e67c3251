import type { Reason } from '../../src/errors.js';
import type { RequestStatus, RequestStatusView } from '../../src/request-status.js';

/** One line per status, from docs/statuses.md: what it means for the person reading it. */
export const statusMeaning: Record<RequestStatus, string> = {
  accepted: 'sent; waiting in the queue for the provisioner',
  in_progress: 'the provisioner is working on it',
  awaiting_sign_in: 'the approver was emailed a sign-in link; the connection is created once they sign in',
  succeeded: 'the connection is as requested',
  rejected: 'the request must change',
  failed: 'the request was valid but the outcome is not what it asked for',
  superseded: 'a newer request for the same connection was applied first; this one changed nothing',
  dead_lettered: "transient faults outlasted every delivery; fix the cause, then 'ucprov dlq replay' it",
};

/** `CODE  path: message`, without repeating the path when the message already starts with it. */
export function formatReason(reason: Reason): string {
  const located =
    reason.path && !reason.message.startsWith(`${reason.path}:`)
      ? `${reason.path}: ${reason.message}`
      : reason.message;
  return `${reason.code}  ${located}`;
}

/** The status as `ucprov status` prints it for people. */
export function formatStatusView(view: RequestStatusView): string[] {
  const lines = [
    `request     ${view.requestId}`,
    `status      ${view.status}: ${statusMeaning[view.status]}`,
  ];
  if (view.action) lines.push(`action      ${view.action}${view.flow ? ` (${view.flow})` : ''}`);
  if (view.connectionName) lines.push(`connection  ${view.connectionName}`);
  if (view.workspace) lines.push(`workspace   ${view.workspace}`);
  if (view.deliveryCount !== undefined) lines.push(`deliveries  ${view.deliveryCount}`);
  if (view.signInExpiresAt) lines.push(`sign-in by  ${view.signInExpiresAt}`);
  lines.push(`created     ${view.createdAt}`, `updated     ${view.updatedAt}`);
  if (view.reasons.length > 0) {
    lines.push('reasons');
    for (const reason of view.reasons) lines.push(`  ${formatReason(reason)}`);
  }
  if (view.history.length > 0) {
    lines.push('history');
    for (const entry of view.history) lines.push(`  ${entry.at}  ${entry.status}`);
  }
  return lines;
}
