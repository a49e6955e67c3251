import type { StatusEndpoint } from '../connection/status-endpoint.js';
import type { Output } from '../output.js';
import { type FollowStatusResult, followStatus } from '../status/follow-status.js';
import { formatReason, statusMeaning } from '../status/format-status.js';
import { fetchRequestStatus } from '../status/status-client.js';

export interface FollowWithProgressOptions {
  requestId: string;
  timeoutInMs: number;
  stopAtSignIn: boolean;
}

/**
 * `submit --wait`: follows the status and writes each change as a progress line, with the time since
 * sending, the status, what it means and its reasons. Until the provisioner records a status (the
 * endpoint answers 404) the request is shown as `accepted`.
 */
export function followWithProgress(
  endpoint: StatusEndpoint,
  options: FollowWithProgressOptions,
  output: Output,
): Promise<FollowStatusResult> {
  const started = Date.now();
  const elapsed = () => `+${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(8);
  const detail = (line: string) => output.progress(`          ${line}`);
  return followStatus({
    ...options,
    fetchStatus: (id) => fetchRequestStatus(endpoint, id),
    onChange(view) {
      if (!view) {
        output.progress(`${elapsed()}  accepted: ${statusMeaning.accepted}`);
        return;
      }
      const delivery =
        view.status === 'in_progress' && view.deliveryCount ? ` (delivery ${view.deliveryCount})` : '';
      output.progress(`${elapsed()}  ${view.status}${delivery}: ${statusMeaning[view.status]}`);
      if (view.signInExpiresAt) detail(`sign-in link valid until ${view.signInExpiresAt}`);
      for (const reason of view.reasons) detail(formatReason(reason));
    },
    onTransientError(error) {
      output.progress(`${elapsed()}  (status endpoint unavailable, still waiting: ${error.message})`);
    },
  });
}
