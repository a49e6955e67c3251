import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import type { SecretRotationOverrides } from '../../src/rotation/create-secret-rotation.js';
import type { SecretRotationResult } from '../../src/rotation/rotate-secret.js';
import type { RotationRecord } from '../../src/rotation/rotation-record.js';
import type { SecretRotation } from '../../src/rotation/secret-rotation.js';
import { createProvisionerRuntime, type ProvisionerRuntime } from '../../src/runtime/provisioner-runtime.js';
import { type LocalCloud, startLocalCloud } from '../local-cloud/start-local-cloud.js';

const dayInMs = 24 * 60 * 60 * 1000;

export interface TestApp {
  appId: string;
  secretName: string;
  initialSecret: string;
  initialKeyId: string;
  /** When the initial secret was added (ms). */
  createdAt: number;
}

/** One isolated world inside a shared local cloud: its own state tables (inventory, records), runtime and clock. */
export interface RotationScenario {
  runtime: ProvisionerRuntime;
  /** The scenario's state tables are `<tablePrefix>requests`, `<tablePrefix>rotations`, … */
  tablePrefix: string;
  /** Every log line the scenario's rotation and provisioning wrote. */
  logs: string[];
  clock: { now(): number; advanceDays(days: number): void; advanceHours(hours: number): void };
  /** A rotation on the scenario's clock, with fast verification and the stand-in's connection test. */
  rotation(overrides?: SecretRotationOverrides): SecretRotation;
  /** An SQL app registration owned (by default) by the provisioner, its secret in Key Vault with a keyId tag. */
  addApp(options?: { owned?: boolean }): Promise<TestApp>;
  /** Provisions an M2M connection for `app` through the queue consumer's core. */
  addConnection(app: TestApp, name: string): Promise<void>;
  record(app: TestApp): Promise<RotationRecord | undefined>;
  close(): Promise<void>;
}

export interface RotationCloud {
  cloud: LocalCloud;
  /** A fresh scenario; `close()` closes every scenario it handed out. */
  scenario(options?: { env?: Record<string, string> }): Promise<RotationScenario>;
  /** Whether a client-credentials token request with this secret succeeds right now (no token cache involved). */
  authenticates(appId: string, secret: string): Promise<boolean>;
  /** The app's password credentials in Entra (never their text). */
  passwordKeyIds(appId: string): string[];
  /** Secret text of Key Vault's current version. */
  currentSecret(secretName: string): string;
  /**
   * Makes new client secrets fail to authenticate for `delayInMs` (AADSTS7000215), as Entra does while a new
   * secret propagates. The stand-in's delay applies to every secret by its age, so this first waits until the
   * provisioner's secret and the `sparing` apps' initial secrets are older than the delay: they keep working.
   */
  delayNewSecrets(options: { delayInMs: number; sparing: TestApp[] }): Promise<void>;
  resetPropagationDelay(): void;
  /** Graph addPassword calls for this app so far. */
  addPasswordCalls(appId: string): number;
  close(): Promise<void>;
}

/** The run's result for one app. */
export function resultFor(results: SecretRotationResult[], app: TestApp): SecretRotationResult | undefined {
  return results.find((result) => result.clientId === app.appId.toLowerCase());
}

export async function startRotationCloud(): Promise<RotationCloud> {
  const cloud = await startLocalCloud({
    storageConnectionString: inject('storageConnectionString'),
    tablePrefix: uniquePrefix(),
  });
  const startedAt = Date.now(); // after the provisioner's secret was added
  const scenarios: RotationScenario[] = [];
  return {
    cloud,
    async scenario(options) {
      const created = await startScenario(cloud, options?.env ?? {});
      scenarios.push(created);
      return created;
    },
    async authenticates(appId, secret) {
      const response = await fetch(cloud.entra.tokenEndpoint(cloud.tenantId), {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: appId,
          client_secret: secret,
          scope: 'https://database.windows.net/.default',
        }),
      });
      await response.body?.cancel();
      return response.ok;
    },
    passwordKeyIds: (appId) => cloud.entra.directory.listPasswords(appId).map((password) => password.keyId),
    currentSecret(secretName) {
      const versions = cloud.keyVault.control.secretVersions(secretName);
      return versions.at(-1)?.value ?? '';
    },
    async delayNewSecrets({ delayInMs, sparing }) {
      const youngest = Math.max(startedAt, ...sparing.map((app) => app.createdAt));
      while (Date.now() - youngest <= delayInMs) await sleep(25);
      cloud.entra.control.setSecretPropagationDelay(delayInMs);
    },
    resetPropagationDelay: () => cloud.entra.control.setSecretPropagationDelay(0),
    addPasswordCalls: (appId) =>
      cloud.graph.control
        .requestLog()
        .filter(
          (entry) =>
            entry.method === 'POST' && entry.path === `/v1.0/applications(appId='${appId}')/addPassword`,
        ).length,
    async close() {
      await Promise.all(scenarios.map((created) => created.close()));
      await cloud.close();
    },
  };
}

async function startScenario(cloud: LocalCloud, env: Record<string, string>): Promise<RotationScenario> {
  const tablePrefix = uniquePrefix();
  const runtime = await createProvisionerRuntime({
    ...cloud.appSettings,
    STATE_TABLE_PREFIX: tablePrefix,
    ...env,
  });
  const logs: string[] = [];
  const sink = (_level: string, line: string) => logs.push(line);
  let now = Date.now();
  let sequence = 0;
  return {
    runtime,
    tablePrefix,
    logs,
    clock: {
      now: () => now,
      advanceDays: (days) => {
        now += days * dayInMs;
      },
      advanceHours: (hours) => {
        now += (hours * dayInMs) / 24;
      },
    },
    rotation: (overrides = {}) =>
      runtime.secretRotation(sink, {
        now: () => now,
        verificationRetry: { baseDelayInMs: 50, maxDelayInMs: 400, budgetInMs: 10_000 },
        connectionCheck: async (_workspace, name) => {
          const result = await cloud.databricks.control.testConnection(name);
          return result.ok ? { ok: true } : result;
        },
        ...overrides,
      }),
    async addApp({ owned = true } = {}) {
      const label = randomBytes(4).toString('hex');
      const app = cloud.entra.directory.registerApp({ displayName: `rotation-test-${label}` });
      if (owned) cloud.entra.directory.addOwner(app.appId, cloud.provisioner.appId);
      const createdAt = Date.now();
      const initial = cloud.entra.directory.addPassword(app.appId, { displayName: 'initial' });
      const secretName = `rotation-test-${label}`;
      await cloud.secrets.setSecret(secretName, initial.secretText ?? '', {
        contentType: 'application/x-entra-client-secret',
        tags: { keyId: initial.keyId, clientId: app.appId },
      });
      return {
        appId: app.appId,
        secretName,
        initialSecret: initial.secretText ?? '',
        initialKeyId: initial.keyId,
        createdAt,
      };
    },
    async addConnection(app, name) {
      const requestId = `req-${randomUUID()}`;
      const body = {
        requestId,
        action: 'upsert',
        requestedBy: 'pipeline: rotation tests',
        connection: { name, host: 'sales-srv.database.windows.net' },
        auth: { flow: 'M2M', tenantId: cloud.tenantId, clientId: app.appId, clientSecretRef: app.secretName },
      };
      const result = await runtime.provisioner(sink).handleMessage({
        body,
        messageId: requestId,
        deliveryCount: 1,
        enqueuedTimeUtc: new Date(Date.now() + sequence++),
      });
      if (result.status !== 'succeeded') {
        const view = await runtime.statuses.get(requestId);
        throw new Error(`provisioning '${name}' ended ${result.status}: ${JSON.stringify(view?.reasons)}`);
      }
    },
    async record(app) {
      const records = await runtime.secretRotation(sink).records();
      return records.find((candidate) => candidate.clientId === app.appId.toLowerCase());
    },
    close: () => runtime.close(),
  };
}

function uniquePrefix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}
