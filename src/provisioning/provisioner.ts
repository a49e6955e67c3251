import { randomUUID } from 'node:crypto';
import { PermanentError, type Reason, TransientError } from '../errors.js';
import { checkRequestPolicy, policyReasonsForInvalidRequest } from '../policy/check-request-policy.js';
import type { ConnectionRequest } from '../request/connection-request-schema.js';
import { validateRequest } from '../request/validate-request.js';
import { type RequestStatus, terminalStatuses } from '../request-status.js';
import type { SignInRequestResult } from '../signin/sign-in-requests.js';
import { acquireConnectionLease } from './connection-lease.js';
import { deleteManagedConnection } from './delete-connection.js';
import type { ProvisionerDependencies } from './provisioner-dependencies.js';
import type { QueueMessage } from './queue-message.js';
import { upsertM2mConnection } from './upsert-connection.js';

export type HandleResult = { status: RequestStatus; requestId: string };

/**
 * Statuses a redelivery must not touch: terminal ones (a dead-lettered request may be replayed), and
 * `awaiting_sign_in`, whose email went out already (one U2M request, one email).
 */
function isSettled(status: RequestStatus): boolean {
  return status === 'awaiting_sign_in' || (terminalStatuses.has(status) && status !== 'dead_lettered');
}

/**
 * The queue consumer's core. Resolves when the message should be completed (the outcome is recorded
 * in the request's status); throws when Service Bus should redeliver it. Bad input never throws.
 */
export class Provisioner {
  readonly #deps: ProvisionerDependencies;

  constructor(deps: ProvisionerDependencies) {
    this.#deps = deps;
  }

  async handleMessage(message: QueueMessage): Promise<HandleResult> {
    const { statuses, logger, settings } = this.#deps;
    const validation = validateRequest(message.body, message.messageId);
    const requestId = validation.ok ? validation.request.requestId : validation.requestId;
    logger.info('request.received', {
      requestId,
      messageId: message.messageId,
      deliveryCount: message.deliveryCount,
    });

    const previous = await statuses.get(requestId);
    if (previous && isSettled(previous.status)) {
      logger.info('request.duplicate', { requestId, status: previous.status });
      return { status: previous.status, requestId };
    }

    if (!validation.ok) {
      // Policy too, on whichever fields are well-formed, so every reason is reported at once.
      const policyReasons = policyReasonsForInvalidRequest(validation.redactedBody, settings).filter(
        (reason) => !validation.reasons.some((found) => found.path === reason.path),
      );
      return this.#finish(requestId, 'rejected', [...validation.reasons, ...policyReasons], {
        request: validation.redactedBody,
      });
    }
    const request = validation.request;
    const summary = {
      action: request.action,
      connectionName: request.connection.name.toLowerCase(),
      ...(request.action === 'upsert'
        ? { flow: request.auth.flow }
        : request.action === 'reauthorize'
          ? { flow: 'U2M' as const }
          : {}),
      deliveryCount: message.deliveryCount,
      request,
    };
    const policy = checkRequestPolicy(request, settings);
    if (!policy.ok) return this.#finish(requestId, 'rejected', policy.reasons, summary);

    // A replayed dead-lettered request starts over; every other terminal status is final.
    await statuses.record(
      requestId,
      { status: 'in_progress', workspace: policy.workspace, ...summary },
      { allowReopen: previous?.status === 'dead_lettered' },
    );
    try {
      const applied = await this.#applyUnderLease(request, policy.workspace, message);
      const { status, signInExpiresAt } = typeof applied === 'string' ? { status: applied } : applied;
      return this.#finish(requestId, status, [], {
        workspace: policy.workspace,
        ...summary,
        ...(signInExpiresAt ? { signInExpiresAt } : {}),
      });
    } catch (error) {
      if (error instanceof PermanentError) {
        return this.#finish(requestId, error.outcome, error.reasons, {
          workspace: policy.workspace,
          ...summary,
        });
      }
      await this.#recordTransientFailure(requestId, message, error);
      throw error;
    }
  }

  async #applyUnderLease(
    request: ConnectionRequest & { requestId: string },
    workspace: string,
    message: QueueMessage,
  ): Promise<RequestStatus | SignInRequestResult> {
    const { leases, statuses, inventory } = this.#deps;
    const name = request.connection.name.toLowerCase();
    const lease = await acquireConnectionLease(
      this.#deps,
      { workspace, name },
      `${message.messageId}|${randomUUID()}`,
    );
    if (!lease) {
      throw new TransientError(
        'lease',
        `Another request is still working on connection '${name}'; retrying later.`,
      );
    }
    try {
      // A concurrent duplicate may have finished while this delivery waited for the lease.
      const current = await statuses.get(request.requestId);
      if (current && isSettled(current.status)) return current.status;

      const ordering = message.enqueuedTimeUtc.getTime();
      const stored = await inventory.get(workspace, name);
      if (
        stored &&
        stored.entry.lastRequestId !== request.requestId &&
        stored.entry.lastRequestSequence > ordering
      ) {
        return 'superseded';
      }
      if (request.action === 'delete') {
        await deleteManagedConnection(this.#deps, request, workspace);
        // A U2M sign-in still out for this connection must not re-create it once the approver signs in.
        await this.#deps.signIns?.withdrawLinks(
          { workspace, connectionName: name, byRequestId: request.requestId },
          this.#deps.logger,
        );
      } else if (request.action === 'reauthorize' || request.auth.flow === 'U2M') {
        // U2M: email the approver a sign-in link; the OAuth callback applies the connection later.
        const { signIns, logger } = this.#deps;
        if (!signIns) {
          throw PermanentError.failed(
            'SIGN_IN_NOT_CONFIGURED',
            'This provisioner runs without U2M sign-in support; its operator must configure it (docs/u2m-sign-in.md).',
          );
        }
        return await signIns.request({ request, workspace, ordering }, logger);
      } else {
        await upsertM2mConnection(this.#deps, { request, workspace, ordering });
      }
      return 'succeeded';
    } finally {
      await leases.release(lease);
    }
  }

  async #finish(
    requestId: string,
    status: RequestStatus,
    reasons: Reason[],
    details: Omit<Parameters<ProvisionerDependencies['statuses']['record']>[1], 'status' | 'reasons'>,
  ): Promise<HandleResult> {
    const view = await this.#deps.statuses.record(requestId, { status, reasons, ...details });
    this.#deps.logger.info(`request.${status}`, {
      requestId,
      reasons: reasons.map((reason) => reason.code).join(',') || undefined,
    });
    return { status: view.status, requestId };
  }

  /** The last delivery Service Bus will make ends the request as dead-lettered, with the last error. */
  async #recordTransientFailure(requestId: string, message: QueueMessage, error: unknown): Promise<void> {
    const { statuses, logger, settings } = this.#deps;
    const lastAttempt = message.deliveryCount >= settings.maxDeliveryCount;
    const service = error instanceof TransientError ? error.service : 'provisioner';
    // Only our own TransientError messages go into the status; anything else could quote a request or response,
    // so the status names its type and the raw message goes to the (secret-scrubbing) log only.
    const detail =
      error instanceof TransientError
        ? error.message
        : `unexpected ${error instanceof Error ? error.name : typeof error}; see the function logs`;
    const reason: Reason = {
      code: 'TRANSIENT_FAILURE',
      message: lastAttempt
        ? `Delivery ${message.deliveryCount} of ${settings.maxDeliveryCount} failed (${service}: ${detail}); the message was dead-lettered. Fix the cause, then replay it with 'ucprov dlq replay ${message.messageId}'.`
        : `Delivery ${message.deliveryCount} of ${settings.maxDeliveryCount} failed (${service}: ${detail}); Service Bus will redeliver it.`,
    };
    await statuses.record(requestId, {
      status: lastAttempt ? 'dead_lettered' : 'in_progress',
      reasons: [reason],
      deliveryCount: message.deliveryCount,
    });
    logger.warn('request.transient_failure', {
      requestId,
      service,
      deliveryCount: message.deliveryCount,
      lastAttempt,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
