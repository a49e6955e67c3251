import { PermanentError, TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import { hostMatchesAny } from '../policy/check-request-policy.js';
import { isPendingClaim, wasCreatedUnderClaim } from '../provisioning/creation-claim.js';
import { mapDatabricksError } from '../provisioning/map-databricks-error.js';
import type { ReauthorizeRequest, UpsertRequest } from '../request/connection-request-schema.js';
import { ConcurrencyConflict } from '../state/concurrency-conflict.js';
import { applyExtras } from './apply-u2m-connection.js';
import { hashToken, randomToken } from './random-token.js';
import { signInPath } from './routes.js';
import { requireSignInConfiguration, type SignInConfiguration } from './sign-in-configuration.js';
import type { SignInDependencies } from './sign-in-dependencies.js';
import { signInEmail } from './sign-in-email.js';
import { appliedExtrasOf, extrasFingerprint, u2mConnectionFingerprint } from './u2m-fingerprint.js';
import type { U2mIntent } from './u2m-intent.js';

export interface SignInRequestContext {
  request: (UpsertRequest | ReauthorizeRequest) & { requestId: string };
  /** The normalised, allowed workspace. */
  workspace: string;
  ordering: number;
}

export type SignInRequestResult =
  | { status: 'awaiting_sign_in'; signInExpiresAt: string }
  /** Nothing needed a sign-in: the connection already had these settings (grants may have been added). */
  | { status: 'succeeded' };

/**
 * The queue side of U2M (docs/u2m-sign-in.md "How it works"): decide what the sign-in will apply, issue a
 * link that supersedes any earlier one for the connection, email it, and return at once — no lock is held
 * while a person acts. Runs under the provisioner's connection lease.
 */
export class SignInRequests {
  readonly #deps: SignInDependencies;

  constructor(deps: SignInDependencies) {
    this.#deps = deps;
  }

  async request(context: SignInRequestContext, logger: Logger): Promise<SignInRequestResult> {
    const configuration = requireSignInConfiguration(this.#deps.settings);
    const { request } = context;
    const plan =
      request.action === 'reauthorize'
        ? { intent: await this.#reauthorizeIntent({ ...context, request }) }
        : await this.#upsertPlan({ ...context, request }, configuration, logger);
    if ('status' in plan) return plan;
    return this.#issueLink(plan.intent, configuration, logger);
  }

  /**
   * An upsert whose connection part is what the inventory says was applied needs no sign-in (the
   * M2M rule applied to U2M: unchanged fingerprint, no Databricks call); one that differs needs a new grant,
   * because PATCH replaces every option and the code is one of them. A connection that exists but is not ours
   * is refused before anyone is emailed, unless `adopt`.
   */
  async #upsertPlan(
    context: SignInRequestContext & { request: UpsertRequest & { requestId: string } },
    configuration: SignInConfiguration,
    logger: Logger,
  ): Promise<{ intent: U2mIntent } | { status: 'succeeded' }> {
    const { request, workspace, ordering } = context;
    const { inventory, secrets } = this.#deps;
    const name = request.connection.name.toLowerCase();
    const base: Omit<U2mIntent, 'write'> = {
      requestId: request.requestId,
      action: 'upsert',
      workspace,
      ordering,
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
      approver: request.auth.approver ?? '',
      connection: { ...request.connection, name },
      auth: {
        tenantId: request.auth.tenantId,
        clientId: request.auth.clientId,
        clientSecretRef: request.auth.clientSecretRef,
      },
      ...(request.grants ? { grants: request.grants } : {}),
      ...(request.foreignCatalog ? { foreignCatalog: request.foreignCatalog } : {}),
    };
    // The secret must exist now (requests name it by reference only); the callback reads it again, newest
    // version.
    const secret = await secrets.read(request.auth.clientSecretRef);
    const connectionPart = u2mConnectionFingerprint({
      intent: base,
      secretVersion: secret.version,
      authorityHost: this.#deps.sqlAuthorityHost,
      redirectUri: configuration.redirectUri,
    });
    const stored = await inventory.get(workspace, name);
    if (stored && !isPendingClaim(stored.entry)) {
      if (stored.entry.flow === 'U2M' && stored.entry.optionsFingerprint.startsWith(`${connectionPart}.`)) {
        const extras = extrasFingerprint(base);
        if (stored.entry.optionsFingerprint !== `${connectionPart}.${extras}`) {
          const foreignCatalog = await applyExtras(
            this.#deps.databricks(workspace),
            base,
            stored.entry.foreignCatalog,
          );
          await inventory.put(
            {
              ...stored.entry,
              optionsFingerprint: `${connectionPart}.${extras}`,
              foreignCatalog,
              lastRequestId: request.requestId,
              lastRequestSequence: ordering,
              updatedAt: new Date(this.#deps.now()).toISOString(),
            },
            { etag: stored.etag },
          );
        }
        logger.info('signin.not_needed', { requestId: request.requestId, workspace, connection: name });
        return { status: 'succeeded' };
      }
      return { intent: { ...base, write: 'patch' } };
    }
    const client = this.#deps.databricks(workspace);
    let existing: Awaited<ReturnType<typeof client.getConnection>>;
    try {
      existing = await client.getConnection(name);
    } catch (error) {
      throw mapDatabricksError(error, `reading connection '${name}'`);
    }
    if (!existing) return { intent: { ...base, write: 'create' } };
    const ours = stored !== undefined && wasCreatedUnderClaim(existing, stored.entry);
    if (ours || request.adopt) return { intent: { ...base, write: 'patch' } };
    throw PermanentError.rejected(
      'CONNECTION_NOT_MANAGED',
      `connection.name: a connection named '${name}' already exists in this workspace and was not created by the provisioner; choose another name, or set "adopt": true to take it over (its options will be replaced after the sign-in).`,
      'connection.name',
    );
  }

  /** `reauthorize`: the settings of the connection's last successful sign-in, with a fresh grant to come. */
  async #reauthorizeIntent(
    context: SignInRequestContext & { request: ReauthorizeRequest & { requestId: string } },
  ): Promise<U2mIntent> {
    const { request, workspace, ordering } = context;
    const name = request.connection.name.toLowerCase();
    const stored = await this.#deps.inventory.get(workspace, name);
    const profile =
      stored && stored.entry.flow === 'U2M' && !isPendingClaim(stored.entry)
        ? await this.#deps.store.getProfile(workspace, name)
        : undefined;
    if (!stored || !profile) {
      throw PermanentError.rejected(
        'REAUTHORIZE_NOT_POSSIBLE',
        `connection.name: '${name}' in ${workspace} is not a U2M connection the provisioner created through a sign-in; submit an upsert with auth.flow "U2M" instead.`,
        'connection.name',
      );
    }
    if (!hostMatchesAny(profile.connection.host, this.#deps.settings.sqlHostPatterns)) {
      throw PermanentError.rejected(
        'HOST_NOT_ALLOWED',
        `connection.name: connection '${name}' points at ${profile.connection.host}, which no longer matches the allowed SQL host patterns (${this.#deps.settings.sqlHostPatterns.join(', ')}).`,
        'connection.name',
      );
    }
    await this.#deps.secrets.read(profile.auth.clientSecretRef);
    const appliedExtras = appliedExtrasOf(stored.entry.optionsFingerprint);
    return {
      ...profile,
      requestId: request.requestId,
      action: 'reauthorize',
      workspace,
      ordering,
      requestedBy: request.requestedBy,
      approver: request.auth?.approver ?? profile.approver,
      write: 'patch',
      ...(appliedExtras ? { appliedExtrasFingerprint: appliedExtras } : {}),
    };
  }

  /**
   * One email per request: a redelivery finds this request's link already emailed and sends nothing. A link
   * created but never emailed (the send failed) is replaced, since its token is unrecoverable (stored hashed).
   */
  async #issueLink(
    intent: U2mIntent,
    configuration: SignInConfiguration,
    logger: Logger,
  ): Promise<SignInRequestResult> {
    const { store, mailer, scrubber, now, settings } = this.#deps;
    const { workspace, requestId } = intent;
    const name = intent.connection.name;
    const current = await store.currentLink(workspace, name);
    if (current?.requestId === requestId) {
      const sent = await store.getLink(current.linkHash);
      if (sent?.link.emailedAt) {
        logger.info('signin.link_already_sent', { requestId, workspace, connection: name });
        return { status: 'awaiting_sign_in', signInExpiresAt: sent.link.expiresAt.toISOString() };
      }
    }
    const token = randomToken();
    scrubber.remember(token);
    const tokenHash = hashToken(token);
    const createdAt = new Date(now());
    const expiresAt = new Date(createdAt.getTime() + settings.signIn.linkLifetimeInHours * 3_600_000);
    await store.createLink({ tokenHash, requestId, createdAt, expiresAt, intent });
    try {
      await store.setCurrentLink(workspace, name, { linkHash: tokenHash, requestId }, current?.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      throw new TransientError('signin', error.message, { cause: error });
    }
    const link = `${configuration.publicBaseUrl}${signInPath}?t=${token}`;
    await mailer.send(signInEmail({ intent, link, expiresAt }));
    await store.markEmailed(tokenHash, new Date(now()));
    logger.info('signin.link_sent', {
      requestId,
      workspace,
      connection: name,
      expiresAt: expiresAt.toISOString(),
    });
    if (current && current.requestId !== requestId)
      await this.#supersede(current.requestId, requestId, logger);
    return { status: 'awaiting_sign_in', signInExpiresAt: expiresAt.toISOString() };
  }

  /**
   * A delete (or any newer request that makes an outstanding sign-in wrong) withdraws the connection's link:
   * it becomes superseded like one replaced by a newer link, so a late sign-in cannot re-create the
   * connection after it was deleted (an older request never overwrites a newer one).
   */
  async withdrawLinks(
    target: { workspace: string; connectionName: string; byRequestId: string },
    logger: Logger,
  ): Promise<void> {
    const { workspace, byRequestId } = target;
    const name = target.connectionName.toLowerCase();
    const current = await this.#deps.store.currentLink(workspace, name);
    if (!current || current.linkHash === '') return;
    try {
      await this.#deps.store.setCurrentLink(
        workspace,
        name,
        { linkHash: '', requestId: byRequestId },
        current.etag,
      );
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      throw new TransientError('signin', error.message, { cause: error });
    }
    if (current.requestId !== byRequestId) await this.#supersede(current.requestId, byRequestId, logger);
  }

  /** The request whose link was replaced will never be signed in: say so in its status (R2 supersede). */
  async #supersede(previousRequestId: string, byRequestId: string, logger: Logger): Promise<void> {
    const previous = await this.#deps.statuses.get(previousRequestId);
    if (previous?.status !== 'awaiting_sign_in') return;
    await this.#deps.statuses.record(previousRequestId, { status: 'superseded', reasons: [] });
    logger.info('signin.superseded', { requestId: previousRequestId, by: byRequestId });
  }
}
