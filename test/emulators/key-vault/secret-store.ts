import { randomUUID } from 'node:crypto';
import {
  beingDeleted,
  beingRecovered,
  deletedButRecoverable,
  deletedSecretNotFound,
  secretDisabled,
  secretNotFound,
} from './errors.js';

/** One immutable value plus its mutable properties. Times are integer unix seconds, as on the wire. */
export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface DeletionRecord {
  deletedDate: number;
  scheduledPurgeDate: number;
}

/** A secret version as seen by one request, with the secret's (case-preserved) name and deletion state. */
export interface SecretView {
  name: string;
  version: SecretVersion;
  deletion?: DeletionRecord;
}

export interface SecretInput {
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  nbf?: number;
  exp?: number;
}

export type SecretPropertiesPatch = Omit<Partial<SecretInput>, 'value'>;

export interface SecretStoreOptions {
  softDeleteRetentionInDays: number;
  /** How long deletion and recovery take to complete (the real service completes them asynchronously). */
  lifecycleDelayInMs: number;
}

interface SecretEntry {
  name: string;
  /** Creation order: the last one is the current version. */
  versions: SecretVersion[];
  deletion?: DeletionRecord;
  /** When the last delete or recover completes (ms since epoch). */
  settlesAt: number;
}

type Lifecycle = 'active' | 'deleting' | 'deleted' | 'recovering';

const secondsNow = () => Math.floor(Date.now() / 1000);

/**
 * The vault's secrets with soft-delete semantics.
 * @see https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
 */
export class SecretStore {
  // Object names are case-insensitive and case-preserving [inferred: reported by users, not in the REST reference].
  readonly #entries = new Map<string, SecretEntry>();

  constructor(private readonly options: SecretStoreOptions) {}

  /** SET creates a new version each time (REST reference "Set Secret"); 32 hex characters like the service's ids. */
  set(name: string, input: SecretInput): SecretView {
    const existing = this.#entries.get(key(name));
    if (existing) this.#rejectReuse(existing);
    const now = secondsNow();
    const version: SecretVersion = {
      version: randomUUID().replaceAll('-', ''),
      value: input.value,
      contentType: input.contentType,
      tags: input.tags,
      enabled: input.enabled ?? true,
      nbf: input.nbf,
      exp: input.exp,
      created: now,
      updated: now,
    };
    const entry = existing ?? { name, versions: [], settlesAt: 0 };
    entry.versions.push(version);
    this.#entries.set(key(name), entry);
    return { name: entry.name, version };
  }

  /**
   * '' selects the current version. A disabled version is refused (403 SecretDisabled); `exp` and `nbf` are
   * informational and do not block reads (https://learn.microsoft.com/azure/key-vault/secrets/about-secrets).
   */
  get(name: string, version: string): SecretView {
    const view = this.#find(name, version);
    if (!view.version.enabled) throw secretDisabled();
    return view;
  }

  /** Current version of every live secret, sorted by name. */
  list(): SecretView[] {
    return this.#inState('active').map((entry) => currentOf(entry));
  }

  /**
   * Versions sorted by id: the service orders them by their hash, not by age (nagyesta/lowkey-vault#467).
   * An unknown secret lists as empty (recording `can_list_secret_versions_non_existing`).
   */
  versions(name: string): SecretView[] {
    const entry = this.#entries.get(key(name));
    if (!entry || this.#lifecycle(entry) !== 'active') return [];
    return [...entry.versions]
      .sort((a, b) => byCodeUnits(a.version, b.version))
      .map((version) => ({ name: entry.name, version }));
  }

  /** PATCH changes properties only; tags, when given, replace the previous ones (REST reference "Update Secret"). */
  update(name: string, version: string, patch: SecretPropertiesPatch): SecretView {
    const view = this.#find(name, version);
    const target = view.version;
    if (patch.contentType !== undefined) target.contentType = patch.contentType;
    if (patch.tags !== undefined) target.tags = patch.tags;
    if (patch.enabled !== undefined) target.enabled = patch.enabled;
    if (patch.nbf !== undefined) target.nbf = patch.nbf;
    if (patch.exp !== undefined) target.exp = patch.exp;
    target.updated = secondsNow();
    return view;
  }

  /** Soft-deletes every version; the deleted secret shows up only once deletion completes. */
  delete(name: string): SecretView {
    const entry = this.#active(name);
    const deletedDate = secondsNow();
    entry.deletion = {
      deletedDate,
      scheduledPurgeDate: deletedDate + this.options.softDeleteRetentionInDays * 86_400,
    };
    entry.settlesAt = Date.now() + this.options.lifecycleDelayInMs;
    return currentOf(entry);
  }

  getDeleted(name: string): SecretView {
    return currentOf(this.#deleted(name));
  }

  listDeleted(): SecretView[] {
    return this.#inState('deleted').map((entry) => currentOf(entry));
  }

  /** Recovery restores all versions; like deletion it completes asynchronously. */
  recover(name: string): SecretView {
    const entry = this.#deleted(name);
    entry.deletion = undefined;
    entry.settlesAt = Date.now() + this.options.lifecycleDelayInMs;
    return currentOf(entry);
  }

  purge(name: string): void {
    this.#deleted(name);
    this.#entries.delete(key(name));
  }

  /** Every version of a live or soft-deleted secret, in creation order (control surface). */
  allVersions(name: string): SecretVersion[] {
    return [...(this.#entries.get(key(name))?.versions ?? [])];
  }

  #lifecycle(entry: SecretEntry): Lifecycle {
    const settled = Date.now() >= entry.settlesAt;
    if (entry.deletion) return settled ? 'deleted' : 'deleting';
    return settled ? 'active' : 'recovering';
  }

  #inState(state: Lifecycle): SecretEntry[] {
    return [...this.#entries.values()]
      .filter((entry) => this.#lifecycle(entry) === state)
      .sort((a, b) => byCodeUnits(key(a.name), key(b.name)));
  }

  #rejectReuse(entry: SecretEntry): void {
    const state = this.#lifecycle(entry);
    if (state === 'deleted') throw deletedButRecoverable(entry.name);
    if (state === 'deleting') throw beingDeleted(entry.name);
    if (state === 'recovering') throw beingRecovered(entry.name);
  }

  #active(name: string): SecretEntry {
    const entry = this.#entries.get(key(name));
    if (!entry || this.#lifecycle(entry) !== 'active') throw secretNotFound(name);
    return entry;
  }

  #deleted(name: string): SecretEntry {
    const entry = this.#entries.get(key(name));
    if (!entry || this.#lifecycle(entry) !== 'deleted') throw deletedSecretNotFound(name);
    return entry;
  }

  #find(name: string, version: string): SecretView {
    const entry = this.#active(name);
    if (version === '') return currentOf(entry);
    const found = entry.versions.find((candidate) => candidate.version === version);
    if (!found) throw secretNotFound(`${name}/${version}`);
    return { name: entry.name, version: found };
  }
}

/** Plain code-unit order, the order `paging.ts` compares skip-token markers in. */
function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function key(name: string): string {
  return name.toLowerCase();
}

function currentOf(entry: SecretEntry): SecretView {
  const version = entry.versions.at(-1);
  if (!version) throw new Error(`Secret ${entry.name} has no versions.`);
  return { name: entry.name, version, deletion: entry.deletion };
}
