import type { Reason } from './errors.js';

/** Every status a request can have; documented in docs/statuses.md. */
export const requestStatuses = [
  'accepted',
  'rejected',
  'in_progress',
  'awaiting_sign_in',
  'succeeded',
  'failed',
  'superseded',
  'dead_lettered',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** Statuses a pipeline can stop waiting on. `awaiting_sign_in` is not terminal: a person acts next. */
export const terminalStatuses: ReadonlySet<RequestStatus> = new Set([
  'rejected',
  'succeeded',
  'failed',
  'superseded',
  'dead_lettered',
]);

/** What the status endpoint and `ucprov status` show. Never contains a secret value. */
export interface RequestStatusView {
  requestId: string;
  status: RequestStatus;
  action?: string;
  workspace?: string;
  connectionName?: string;
  flow?: 'M2M' | 'U2M';
  reasons: Reason[];
  createdAt: string;
  updatedAt: string;
  /** Service Bus delivery attempts seen so far. */
  deliveryCount?: number;
  /** U2M: until when the emailed sign-in link is valid. */
  signInExpiresAt?: string;
  history: Array<{ status: RequestStatus; at: string }>;
}
