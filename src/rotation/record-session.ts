import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { Clock } from '../state/clock.js';
import type { RotationStore } from '../state/rotation-store.js';
import type { RotationRecord } from './rotation-record.js';

/**
 * The rotation record being worked on, and the only way to change it: every save is an ETag-conditional write
 * (the per-app lock makes a conflict a bug or a lost lock, never a normal race), stamps `updatedAt`, appends the
 * event to the history and keeps secrets out of problem messages (defence in depth: messages are built without
 * them).
 */
export class RecordSession {
  readonly #store: RotationStore;
  readonly #now: Clock;
  readonly #scrubber: SecretScrubber;
  #record: RotationRecord;
  #etag: string | undefined;

  constructor(
    store: RotationStore,
    record: RotationRecord,
    etag: string | undefined,
    services: { now: Clock; scrubber: SecretScrubber },
  ) {
    this.#store = store;
    this.#record = record;
    this.#etag = etag;
    this.#now = services.now;
    this.#scrubber = services.scrubber;
  }

  get record(): RotationRecord {
    return this.#record;
  }

  nowIso(): string {
    return new Date(this.#now()).toISOString();
  }

  /**
   * Applies `changes` and writes the record. A state change clears the previous problem: it no longer
   * describes where the rotation stands.
   */
  async save(changes: Partial<RotationRecord>, event?: string): Promise<void> {
    const at = this.nowIso();
    const next: RotationRecord = { ...this.#record, ...changes, updatedAt: at };
    if (changes.state !== undefined && changes.state !== this.#record.state && !('problem' in changes)) {
      delete next.problem;
    }
    if (next.problem) next.problem = { ...next.problem, message: this.#scrubber.scrub(next.problem.message) };
    if (event) next.history = [...next.history, { event, at }];
    this.#etag = await this.#store.put(next, this.#etag ? { etag: this.#etag } : {});
    this.#record = next;
  }
}
