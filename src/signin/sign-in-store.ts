import { odata, type TableClient } from '@azure/data-tables';
import { ConcurrencyConflict } from '../state/concurrency-conflict.js';
import { callTableStorage, storageStatus } from '../state/storage-errors.js';
import { toTableKey } from '../state/table-key.js';
import type { U2mIntent, U2mProfile } from './u2m-intent.js';

/** An emailed sign-in link. Keyed by the SHA-256 of its token: the token itself is never stored (R1). */
export interface SignInLink {
  tokenHash: string;
  requestId: string;
  expiresAt: Date;
  createdAt: Date;
  emailedAt?: Date;
  consumedAt?: Date;
  intent: U2mIntent;
}

/**
 * One started OAuth authorization: found by the SHA-256 of its `state`, bound to the browser by the
 * SHA-256 of the transaction cookie. The verifier lives here and nowhere else until the callback hands
 * it to Databricks (R8).
 */
export interface SignInTransaction {
  stateHash: string;
  cookieHash: string;
  verifier: string;
  linkHash: string;
  requestId: string;
  /** R15: the issuer binding, compared with the connection's at the callback. */
  tenantId: string;
  authorizeEndpoint: string;
  redirectUri: string;
  expiresAt: Date;
}

/** A link or transaction past its `expiresAt`, as the expiry sweep sees it. */
export interface ExpiredSignInRow {
  kind: 'link' | 'transaction';
  /** The link's token hash or the transaction's state hash. */
  hash: string;
  /** The link itself, or the one the transaction was started from. */
  linkHash: string;
  requestId: string;
  expiresAt: Date;
  /** Links: used to start a sign-in. */
  consumed: boolean;
  /** Links: the sweep already recorded the expiry in the request's status. */
  expiryRecorded: boolean;
  etag: string;
}

/** The link that is currently valid for a connection; every other link of that connection is superseded. */
export interface CurrentLink {
  linkHash: string;
  requestId: string;
  etag: string;
}

interface LinkEntity {
  partitionKey: string;
  rowKey: typeof linkRow;
  requestId: string;
  expiresAt: Date;
  createdAt: Date;
  emailedAt?: Date;
  consumedAt?: Date;
  expiryRecordedAt?: Date;
  intentJson: string;
}

interface TransactionEntity {
  partitionKey: string;
  rowKey: typeof transactionRow;
  cookieHash: string;
  verifier: string;
  linkHash: string;
  requestId: string;
  tenantId: string;
  authorizeEndpoint: string;
  redirectUri: string;
  expiresAt: Date;
}

interface CurrentLinkEntity {
  partitionKey: string;
  rowKey: typeof currentLinkRow;
  linkHash: string;
  requestId: string;
}

interface ProfileEntity {
  partitionKey: string;
  rowKey: typeof profileRow;
  profileJson: string;
}

const linkRow = 'link';
const transactionRow = 'transaction';
const currentLinkRow = 'current-link';
const profileRow = 'u2m-profile';

/**
 * The `signins` table. Links and transactions are partitioned by their hash (point reads, no contention);
 * per-connection rows (`current-link`, `u2m-profile`) by workspace and connection name. Every state change
 * that must happen once is an ETag-conditional write: consuming a link (R4) and burning a state (R10).
 * https://learn.microsoft.com/rest/api/storageservices/update-entity2 (If-Match) and …/delete-entity1
 */
export class SignInStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  createLink(link: SignInLink): Promise<void> {
    return callTableStorage('storing a sign-in link', async () => {
      const entity: LinkEntity = {
        partitionKey: link.tokenHash,
        rowKey: linkRow,
        requestId: link.requestId,
        expiresAt: link.expiresAt,
        createdAt: link.createdAt,
        intentJson: JSON.stringify(link.intent),
      };
      await this.#table.createEntity(entity);
    });
  }

  getLink(tokenHash: string): Promise<{ link: SignInLink; etag: string } | undefined> {
    return callTableStorage('reading a sign-in link', async () => {
      const entity = await this.#get<LinkEntity>(tokenHash, linkRow);
      if (!entity) return undefined;
      const link: SignInLink = {
        tokenHash,
        requestId: entity.requestId,
        expiresAt: new Date(entity.expiresAt),
        createdAt: new Date(entity.createdAt),
        intent: JSON.parse(entity.intentJson) as U2mIntent,
      };
      if (entity.emailedAt) link.emailedAt = new Date(entity.emailedAt);
      if (entity.consumedAt) link.consumedAt = new Date(entity.consumedAt);
      return { link, etag: entity.etag };
    });
  }

  markEmailed(tokenHash: string, at: Date): Promise<void> {
    return callTableStorage('recording a sent sign-in email', async () => {
      await this.#table.updateEntity({ partitionKey: tokenHash, rowKey: linkRow, emailedAt: at }, 'Merge');
    });
  }

  /**
   * Marks the link used, only if nobody else did since `etag` was read (R4: "atomically marks the token
   * used"). A lost race → ConcurrencyConflict.
   */
  consumeLink(tokenHash: string, etag: string, at: Date): Promise<void> {
    return callTableStorage('consuming a sign-in link', async () => {
      try {
        await this.#table.updateEntity(
          { partitionKey: tokenHash, rowKey: linkRow, consumedAt: at },
          'Merge',
          {
            etag,
          },
        );
      } catch (error) {
        if (isLostRace(error)) {
          throw new ConcurrencyConflict('CHANGED_SINCE_READ', 'The sign-in link changed since it was read.', {
            cause: error,
          });
        }
        throw error;
      }
    });
  }

  /** Links and transactions whose `expiresAt` is at or before `before`, across partitions. */
  listExpired(before: Date): Promise<ExpiredSignInRow[]> {
    return callTableStorage('listing expired sign-ins', async () => {
      const rows: ExpiredSignInRow[] = [];
      const entities = this.#table.listEntities<
        Partial<Omit<LinkEntity, 'rowKey'> & Omit<TransactionEntity, 'rowKey'>>
      >({
        queryOptions: {
          filter: odata`(RowKey eq ${linkRow} or RowKey eq ${transactionRow}) and expiresAt le ${before}`,
        },
      });
      for await (const entity of entities) {
        rows.push({
          kind: entity.rowKey === linkRow ? 'link' : 'transaction',
          hash: entity.partitionKey ?? '',
          linkHash: (entity.rowKey === linkRow ? entity.partitionKey : entity.linkHash) ?? '',
          requestId: entity.requestId ?? '',
          expiresAt: new Date(entity.expiresAt ?? 0),
          consumed: entity.consumedAt !== undefined,
          expiryRecorded: entity.expiryRecordedAt !== undefined,
          etag: entity.etag,
        });
      }
      return rows;
    });
  }

  /**
   * Notes on an unused expired link that its request's status says so, unless the link changed since
   * `etag` was read (false then: another sweep got there first).
   */
  markExpiryRecorded(tokenHash: string, etag: string, at: Date): Promise<boolean> {
    return callTableStorage('recording a sign-in link expiry', async () => {
      try {
        await this.#table.updateEntity(
          { partitionKey: tokenHash, rowKey: linkRow, expiryRecordedAt: at },
          'Merge',
          { etag },
        );
        return true;
      } catch (error) {
        if (isLostRace(error)) return false;
        throw error;
      }
    });
  }

  /** Deletes an expired link or transaction unless it changed since `etag` was read; false if it had. */
  deleteExpired(row: Pick<ExpiredSignInRow, 'kind' | 'hash' | 'etag'>): Promise<boolean> {
    return callTableStorage('deleting an expired sign-in', async () => {
      try {
        await this.#table.deleteEntity(row.hash, row.kind === 'link' ? linkRow : transactionRow, {
          etag: row.etag,
        });
        return true;
      } catch (error) {
        if (isLostRace(error)) return false;
        throw error;
      }
    });
  }

  currentLink(workspace: string, connectionName: string): Promise<CurrentLink | undefined> {
    return callTableStorage('reading the current sign-in link', async () => {
      const entity = await this.#get<CurrentLinkEntity>(
        connectionKey(workspace, connectionName),
        currentLinkRow,
      );
      return entity && { linkHash: entity.linkHash, requestId: entity.requestId, etag: entity.etag };
    });
  }

  /**
   * Makes `linkHash` the one valid link of the connection, superseding any other (R2). With `etag` only
   * if unchanged since read; without, only if there was none. A lost race → ConcurrencyConflict.
   */
  setCurrentLink(
    workspace: string,
    connectionName: string,
    current: { linkHash: string; requestId: string },
    etag: string | undefined,
  ): Promise<void> {
    return callTableStorage('recording the current sign-in link', async () => {
      const entity: CurrentLinkEntity = {
        partitionKey: connectionKey(workspace, connectionName),
        rowKey: currentLinkRow,
        ...current,
      };
      try {
        if (etag) await this.#table.updateEntity(entity, 'Replace', { etag });
        else await this.#table.createEntity(entity);
      } catch (error) {
        const status = storageStatus(error);
        if (status === 409 || status === 412 || status === 404) {
          throw new ConcurrencyConflict(
            etag ? 'CHANGED_SINCE_READ' : 'ALREADY_EXISTS',
            `Another sign-in link for connection '${connectionName}' was issued at the same time.`,
            { cause: error },
          );
        }
        throw error;
      }
    });
  }

  putTransaction(transaction: SignInTransaction): Promise<void> {
    return callTableStorage('storing a sign-in transaction', async () => {
      const { stateHash, ...fields } = transaction;
      const entity: TransactionEntity = { partitionKey: stateHash, rowKey: transactionRow, ...fields };
      await this.#table.createEntity(entity);
    });
  }

  /**
   * Reads and deletes the transaction for `stateHash` in one conditional step: of any number of callbacks
   * presenting the same state, exactly one gets it (R10: "`state` is deleted on first use, even if later
   * steps fail"). Undefined when unknown, already used, or taken by a concurrent callback.
   */
  takeTransaction(stateHash: string): Promise<SignInTransaction | undefined> {
    return callTableStorage('taking a sign-in transaction', async () => {
      const entity = await this.#get<TransactionEntity>(stateHash, transactionRow);
      if (!entity) return undefined;
      try {
        await this.#table.deleteEntity(stateHash, transactionRow, { etag: entity.etag });
      } catch (error) {
        if (isLostRace(error)) return undefined;
        throw error;
      }
      return {
        stateHash,
        cookieHash: entity.cookieHash,
        verifier: entity.verifier,
        linkHash: entity.linkHash,
        requestId: entity.requestId,
        tenantId: entity.tenantId,
        authorizeEndpoint: entity.authorizeEndpoint,
        redirectUri: entity.redirectUri,
        expiresAt: new Date(entity.expiresAt),
      };
    });
  }

  getProfile(workspace: string, connectionName: string): Promise<U2mProfile | undefined> {
    return callTableStorage('reading a U2M connection profile', async () => {
      const entity = await this.#get<ProfileEntity>(connectionKey(workspace, connectionName), profileRow);
      return entity && (JSON.parse(entity.profileJson) as U2mProfile);
    });
  }

  putProfile(profile: U2mProfile): Promise<void> {
    return callTableStorage('storing a U2M connection profile', async () => {
      const entity: ProfileEntity = {
        partitionKey: connectionKey(profile.workspace, profile.connection.name),
        rowKey: profileRow,
        profileJson: JSON.stringify(profile),
      };
      await this.#table.upsertEntity(entity, 'Replace');
    });
  }

  async #get<T extends object>(
    partitionKey: string,
    rowKey: string,
  ): Promise<(T & { etag: string }) | undefined> {
    try {
      return await this.#table.getEntity<T>(partitionKey, rowKey);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }
}

/** 404: gone already; 412: changed since read. */
function isLostRace(error: unknown): boolean {
  const status = storageStatus(error);
  return status === 404 || status === 412;
}

function connectionKey(workspace: string, connectionName: string): string {
  return toTableKey(`${workspace}|${connectionName.toLowerCase()}`);
}
