import { randomUUID } from 'node:crypto';
import { type RotateSecretOptions, rotateSecret, type SecretRotationResult } from './rotate-secret.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { RotationError } from './rotation-error.js';
import type { RotationRecord } from './rotation-record.js';

export interface RotationRunSummary {
  trigger: RotationRecord['trigger'];
  startedAt: string;
  finishedAt: string;
  /** Set when nothing ran, e.g. `ROTATION_ENABLED=false`. */
  skipped?: string;
  results: SecretRotationResult[];
}

export interface ManagedApp {
  tenantId: string;
  clientId: string;
  clientSecretRefs: string[];
  /** How many connections in the inventory use it. */
  connections: number;
}

interface AppToVisit {
  tenantId: string;
  clientId: string;
  /** Key Vault secret names its connections use, lower-case → as written. */
  refs: Map<string, string>;
}

/**
 * Client-secret rotation over the inventory (docs/secret-rotation.md): every app registration whose
 * connections use a Key Vault secret that is due — or whose rotation is still in progress — is taken one step
 * further, under a per-app lock so overlapping runs (timer, operator, several instances) rotate it once. One
 * app's failure is recorded on its record and never stops the others.
 */
export class SecretRotation {
  readonly #deps: RotationDependencies;

  constructor(deps: RotationDependencies) {
    this.#deps = deps;
  }

  /** The timer's run. */
  async runScheduled(): Promise<RotationRunSummary> {
    const startedAt = this.#isoNow();
    if (!this.#deps.settings.rotation.enabled) {
      return {
        trigger: 'schedule',
        startedAt,
        finishedAt: startedAt,
        skipped: 'ROTATION_ENABLED=false',
        results: [],
      };
    }
    const results: SecretRotationResult[] = [];
    for (const app of (await this.#appsToVisit()).values()) {
      results.push(...(await this.#rotateApp(app, { force: false, trigger: 'schedule' })));
    }
    const summary = { trigger: 'schedule' as const, startedAt, finishedAt: this.#isoNow(), results };
    this.#deps.logger.info('rotation.run_finished', {
      trigger: 'schedule',
      secrets: results.length,
      ...countOutcomes(results),
    });
    return summary;
  }

  /**
   * An operator's request: rotate every secret of this app now, through the same state machine (a rotation
   * already in progress just continues). Undefined when no connection or record knows the app.
   */
  async rotateNow(tenantId: string, clientId: string): Promise<SecretRotationResult[] | undefined> {
    const app: AppToVisit = {
      tenantId: tenantId.toLowerCase(),
      clientId: clientId.toLowerCase(),
      refs: new Map(),
    };
    for (const entry of await this.#deps.provisioning.inventory.listByClientId(tenantId, clientId)) {
      addRef(app, entry.clientSecretRef);
    }
    for (const record of await this.#deps.records.listByApp(tenantId, clientId))
      addRef(app, record.clientSecretRef);
    if (app.refs.size === 0) return undefined;
    const results = await this.#rotateApp(app, { force: true, trigger: 'operator' });
    this.#deps.logger.info('rotation.run_finished', {
      trigger: 'operator',
      clientId,
      ...countOutcomes(results),
    });
    return results;
  }

  /** The app registrations the inventory's connections use: what rotation watches, rotated yet or not. */
  async managedApps(): Promise<ManagedApp[]> {
    const apps = new Map<string, ManagedApp>();
    for await (const entry of this.#deps.provisioning.inventory.list()) {
      const id = `${entry.tenantId}|${entry.clientId}`;
      const app = apps.get(id) ?? {
        tenantId: entry.tenantId,
        clientId: entry.clientId,
        clientSecretRefs: [],
        connections: 0,
      };
      if (!app.clientSecretRefs.includes(entry.clientSecretRef))
        app.clientSecretRefs.push(entry.clientSecretRef);
      app.connections += 1;
      apps.set(id, app);
    }
    return [...apps.values()];
  }

  /** Every rotation record, for the report; newest activity first. */
  async records(): Promise<RotationRecord[]> {
    const records = await this.#deps.records.list();
    return records.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async #rotateApp(
    app: AppToVisit,
    options: Pick<RotateSecretOptions, 'force' | 'trigger'>,
  ): Promise<SecretRotationResult[]> {
    const { leases, lockDurationInMs, logger } = this.#deps;
    const keys = [...app.refs.values()].map((clientSecretRef) => ({
      tenantId: app.tenantId,
      clientId: app.clientId,
      clientSecretRef,
    }));
    let lease = await leases.tryAcquire(
      `rotation|${app.tenantId}|${app.clientId}`,
      `rotation|${options.trigger}|${randomUUID()}`,
      lockDurationInMs,
    );
    if (!lease) {
      logger.info('rotation.locked', { clientId: app.clientId });
      return keys.map((key) => ({ ...key, outcome: 'locked' as const }));
    }
    const keepLock = async () => {
      const renewed = lease && (await leases.renew(lease, lockDurationInMs));
      if (!renewed) {
        throw new RotationError(
          'UNEXPECTED_FAILURE',
          `The lock on app ${app.clientId} was lost (held longer than ${lockDurationInMs} ms without renewal?); another run continues the rotation.`,
          { needsOperator: false },
        );
      }
      lease = renewed;
    };
    try {
      const results: SecretRotationResult[] = [];
      for (const key of keys) {
        results.push(
          await rotateSecret(this.#deps, key, {
            ...options,
            keepLock,
            secretRefsOfApp: [...app.refs.values()],
          }),
        );
      }
      return results;
    } finally {
      if (lease) await leases.release(lease).catch(() => undefined); // it expires anyway
    }
  }

  /** Apps with connections in the inventory, plus apps whose rotation is unfinished (their connections may be gone). */
  async #appsToVisit(): Promise<Map<string, AppToVisit>> {
    const apps = new Map<string, AppToVisit>();
    const visit = (tenantId: string, clientId: string, ref: string) => {
      const id = `${tenantId.toLowerCase()}|${clientId.toLowerCase()}`;
      let app = apps.get(id);
      if (!app) {
        app = { tenantId: tenantId.toLowerCase(), clientId: clientId.toLowerCase(), refs: new Map() };
        apps.set(id, app);
      }
      addRef(app, ref);
    };
    for await (const entry of this.#deps.provisioning.inventory.list()) {
      visit(entry.tenantId, entry.clientId, entry.clientSecretRef);
    }
    for (const record of await this.#deps.records.list()) {
      if (record.state !== 'completed') visit(record.tenantId, record.clientId, record.clientSecretRef);
    }
    return apps;
  }

  #isoNow(): string {
    return new Date(this.#deps.now()).toISOString();
  }
}

function addRef(app: AppToVisit, ref: string): void {
  if (!app.refs.has(ref.toLowerCase())) app.refs.set(ref.toLowerCase(), ref);
}

function countOutcomes(results: SecretRotationResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
  return counts;
}
