import type { SecretOperation } from './operations.js';
import { paginate } from './paging.js';
import { parseSetSecretBody, parseUpdateSecretBody } from './request-bodies.js';
import type { SecretStore, SecretView } from './secret-store.js';
import type { SecretWireFormat } from './wire-format.js';

export interface OperationContext {
  store: SecretStore;
  wire: SecretWireFormat;
  vaultUrl: string;
  apiVersion: string;
  query: URLSearchParams;
  body: unknown;
}

export interface OperationResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Runs one authorized operation against the store and shapes the answer (status codes per the SDK's `expectedStatuses`). */
export function executeOperation(operation: SecretOperation, context: OperationContext): OperationResult {
  const { store, wire } = context;
  const name = operation.secretName ?? '';
  switch (operation.name) {
    case 'setSecret':
      return ok(wire.bundle(store.set(name, parseSetSecretBody(context.body)), { includeValue: true }));
    case 'getSecret':
      return ok(wire.bundle(store.get(name, operation.version ?? ''), { includeValue: true }));
    case 'updateSecret': {
      const patch = parseUpdateSecretBody(context.body);
      return ok(wire.bundle(store.update(name, operation.version ?? '', patch), { includeValue: false }));
    }
    case 'deleteSecret':
      return ok(wire.deletedBundle(store.delete(name)));
    case 'getDeletedSecret':
      return ok(wire.deletedBundle(store.getDeleted(name)));
    case 'recoverDeletedSecret':
      return ok(wire.bundle(store.recover(name), { includeValue: false }));
    case 'purgeDeletedSecret':
      store.purge(name);
      return { status: 204 };
    case 'getSecrets':
      return listPage(store.list(), byName, '/secrets', context, (view) =>
        wire.item(view, { withVersion: false }),
      );
    case 'getSecretVersions':
      return listPage(
        store.versions(name),
        byVersion,
        `/secrets/${encodeURIComponent(name)}/versions`,
        context,
        (view) => wire.item(view, { withVersion: true }),
      );
    case 'getDeletedSecrets':
      return listPage(store.listDeleted(), byName, '/deletedsecrets', context, (view) =>
        wire.deletedItem(view),
      );
  }
}

function ok(body: unknown): OperationResult {
  return { status: 200, body };
}

const byName = (view: SecretView) => view.name.toLowerCase();
const byVersion = (view: SecretView) => view.version.version;

function listPage(
  views: SecretView[],
  keyOf: (view: SecretView) => string,
  collectionPath: string,
  context: OperationContext,
  toItem: (view: SecretView) => unknown,
): OperationResult {
  const page = paginate(views, keyOf, {
    collectionUrl: `${context.vaultUrl}${collectionPath}`,
    apiVersion: context.apiVersion,
    query: context.query,
  });
  return ok({ value: page.value.map(toItem), nextLink: page.nextLink });
}
