import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { RequestStatusStore } from '../../src/state/request-status-store.js';
import { createTestStateTables } from './state-tables.js';

describe('RequestStatusStore (Azurite through @azure/data-tables)', () => {
  let tables: Awaited<ReturnType<typeof createTestStateTables>>;
  let clock = Date.parse('2025-01-01T00:00:00.000Z');
  let store: RequestStatusStore;
  let requestNumber = 0;
  const newRequestId = () => `req-${++requestNumber}-${Math.random().toString(36).slice(2)}`;
  const advance = (ms: number) => {
    clock += ms;
    return new Date(clock).toISOString();
  };

  beforeAll(async () => {
    tables = await createTestStateTables();
    store = new RequestStatusStore(tables.requests, { now: () => clock });
  });
  afterAll(() => tables?.drop());

  it('returns undefined for a request it never saw', async () => {
    await expect(store.get(newRequestId())).resolves.toBeUndefined();
    await expect(store.getRequest(newRequestId())).resolves.toBeUndefined();
  });

  it('creates a status with timestamps, empty reasons and a one-entry history', async () => {
    const requestId = newRequestId();
    const at = advance(1000);
    const view = await store.record(requestId, {
      status: 'accepted',
      action: 'upsert',
      workspace: 'https://adb-1.azuredatabricks.net',
      connectionName: 'sales_sql',
      flow: 'M2M',
      deliveryCount: 1,
    });
    const expected = {
      requestId,
      status: 'accepted',
      action: 'upsert',
      workspace: 'https://adb-1.azuredatabricks.net',
      connectionName: 'sales_sql',
      flow: 'M2M',
      deliveryCount: 1,
      reasons: [],
      createdAt: at,
      updatedAt: at,
      history: [{ status: 'accepted', at }],
    };
    expect(view).toEqual(expected);
    await expect(store.get(requestId)).resolves.toEqual(expected);
  });

  it('updates the status, keeps earlier fields and createdAt, and appends to the history', async () => {
    const requestId = newRequestId();
    const createdAt = advance(1000);
    await store.record(requestId, {
      status: 'accepted',
      workspace: 'https://adb-1.azuredatabricks.net',
      flow: 'U2M',
    });
    const inProgressAt = advance(1000);
    await store.record(requestId, { status: 'in_progress', deliveryCount: 1 });
    const awaitingAt = advance(1000);
    const view = await store.record(requestId, {
      status: 'awaiting_sign_in',
      signInExpiresAt: '2025-01-04T00:00:00.000Z',
    });
    expect(view).toMatchObject({
      status: 'awaiting_sign_in',
      workspace: 'https://adb-1.azuredatabricks.net',
      flow: 'U2M',
      deliveryCount: 1,
      signInExpiresAt: '2025-01-04T00:00:00.000Z',
      createdAt,
      updatedAt: awaitingAt,
      history: [
        { status: 'accepted', at: createdAt },
        { status: 'in_progress', at: inProgressAt },
        { status: 'awaiting_sign_in', at: awaitingAt },
      ],
    });
    await expect(store.get(requestId)).resolves.toEqual(view);
  });

  it('replaces the reasons with those of the latest status', async () => {
    const requestId = newRequestId();
    await store.record(requestId, { status: 'in_progress' });
    const reasons = [
      { code: 'HOST_NOT_ALLOWED' as const, message: 'host is not allowed', path: 'connection.host' },
    ];
    await expect(store.record(requestId, { status: 'rejected', reasons })).resolves.toMatchObject({
      reasons,
    });
    await expect(store.get(requestId)).resolves.toMatchObject({ status: 'rejected', reasons });
  });

  it('keeps a terminal status when a redelivered duplicate records a non-terminal one', async () => {
    const requestId = newRequestId();
    await store.record(requestId, { status: 'in_progress', deliveryCount: 1 });
    const succeeded = await store.record(requestId, { status: 'succeeded' });
    advance(1000);
    await expect(store.record(requestId, { status: 'in_progress', deliveryCount: 2 })).resolves.toEqual(
      succeeded,
    );
    await expect(store.get(requestId)).resolves.toEqual(succeeded);
  });

  it('keeps a terminal status when another terminal status is recorded later', async () => {
    const requestId = newRequestId();
    const succeeded = await store.record(requestId, { status: 'succeeded' });
    await expect(store.record(requestId, { status: 'dead_lettered' })).resolves.toEqual(succeeded);
  });

  it('reopens a terminal status only when the caller passes allowReopen', async () => {
    const requestId = newRequestId();
    await store.record(requestId, { status: 'succeeded' });
    const reopened = await store.record(requestId, { status: 'awaiting_sign_in' }, { allowReopen: true });
    expect(reopened.status).toBe('awaiting_sign_in');
    expect(reopened.history.map((entry) => entry.status)).toEqual(['succeeded', 'awaiting_sign_in']);
  });

  it('stores the request JSON apart from the view and keeps it when later updates omit it', async () => {
    const requestId = newRequestId();
    const request = { action: 'upsert', connection: { name: 'sales_sql', host: 'srv.database.windows.net' } };
    const view = await store.record(requestId, { status: 'accepted', request });
    expect(view).not.toHaveProperty('request');
    await store.record(requestId, { status: 'in_progress' });
    await expect(store.getRequest(requestId)).resolves.toEqual(request);
    await expect(store.get(requestId)).resolves.not.toHaveProperty('request');
  });

  it('still records the status of a request too large for one property, without keeping the request', async () => {
    const requestId = newRequestId();
    const view = await store.record(requestId, {
      status: 'rejected',
      request: { padding: 'x'.repeat(40_000) },
    });
    expect(view.status).toBe('rejected');
    await expect(store.getRequest(requestId)).resolves.toBeUndefined();
  });

  it('lands every one of 10 concurrent records without losing a history entry', async () => {
    const requestId = newRequestId();
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.record(requestId, { status: 'in_progress', deliveryCount: index }),
      ),
    );
    const view = await store.get(requestId);
    expect(view?.history).toHaveLength(10);
    expect(view?.history.every((entry) => entry.status === 'in_progress')).toBe(true);
  });

  it('caps the history at the 50 most recent entries', async () => {
    const requestId = newRequestId();
    const firstAt = advance(1);
    await store.record(requestId, { status: 'accepted' });
    let lastAt = firstAt;
    for (let delivery = 1; delivery <= 54; delivery++) {
      lastAt = advance(1);
      await store.record(requestId, { status: 'in_progress', deliveryCount: delivery });
    }
    const view = await store.get(requestId);
    expect(view?.history).toHaveLength(50);
    expect(view?.history.at(-1)).toEqual({ status: 'in_progress', at: lastAt });
    expect(view?.createdAt).toBe(firstAt);
  });

  it('accepts request ids with characters that are illegal in table keys', async () => {
    const requestId = 'pipeline/run#7?attempt=1\\x';
    await store.record(requestId, { status: 'accepted' });
    await expect(store.get(requestId)).resolves.toMatchObject({ requestId, status: 'accepted' });
  });

  it('reports unreachable Table storage as a TransientError so the message is redelivered', async () => {
    const unreachable = new TableClient('http://127.0.0.1:9/devstoreaccount1', 'requests', {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const offline = new RequestStatusStore(unreachable);
    await expect(offline.record(newRequestId(), { status: 'accepted' })).rejects.toBeInstanceOf(
      TransientError,
    );
    await expect(offline.get(newRequestId())).rejects.toMatchObject({ service: 'table-storage' });
  });
});
