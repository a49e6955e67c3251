import { randomUUID } from 'node:crypto';

// The queue, lock and dead-letter state machine. Protocol-free: `Content` is the sender's message, opaque here.
// Sources: https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement (peek-lock),
// https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues (DLQ),
// https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection (duplicate detection).

export interface QueueOptions {
  /** Default 60_000 (Service Bus default PT1M). */
  lockDurationInMs?: number;
  /** Default 10. */
  maxDeliveryCount?: number;
  /** Default 0 = duplicate detection off; >0 = on with that window. */
  duplicateDetectionWindowInMs?: number;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** A message as the broker holds it. */
export interface BrokeredMessage<Content> {
  readonly sequenceNumber: number;
  readonly enqueuedTimeUtc: Date;
  readonly content: Content;
  /** Infinity when the sender set no time-to-live. */
  readonly expiresAtMs: number;
  /** Application properties set by settlement (abandon, dead-letter), layered over the sender's own. */
  modifiedProperties: Record<string, unknown>;
  /** Failed deliveries so far (abandon or lock expiry): what the AMQP header `delivery-count` carries. */
  deliveryCount: number;
  lock?: { token: string; lockedUntilUtc: Date; timer: NodeJS.Timeout };
}

export type SettleOutcome =
  | { ok: true }
  | { ok: false; condition: 'com.microsoft:message-lock-lost' | 'amqp:not-allowed'; description: string };

export type QueueStats = Record<
  | 'sent'
  | 'completed'
  | 'abandoned'
  | 'deadLettered'
  | 'expiredLocks'
  | 'duplicatesDropped'
  | 'receivedAndDeleted'
  | 'expired',
  number
>;

// MessageLockLostException text: https://learn.microsoft.com/azure/service-bus-messaging/service-bus-messaging-exceptions-latest
export const lockLost = {
  ok: false as const,
  condition: 'com.microsoft:message-lock-lost',
  description:
    'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
} satisfies SettleOutcome;

export class Queue<Content> {
  readonly active: SubQueue<Content>;
  readonly deadLetter: SubQueue<Content>;
  readonly lockDurationInMs: number;
  readonly maxDeliveryCount: number;
  readonly duplicateDetectionWindowInMs: number;
  private nextSequenceNumber = 1;
  /** messageId → first time seen, oldest first; only kept while duplicate detection is on. */
  private readonly recentMessageIds = new Map<string, number>();

  constructor(
    readonly name: string,
    options: QueueOptions = {},
  ) {
    this.lockDurationInMs = options.lockDurationInMs ?? 60_000;
    this.maxDeliveryCount = options.maxDeliveryCount ?? 10;
    this.duplicateDetectionWindowInMs = options.duplicateDetectionWindowInMs ?? 0;
    // MaxDeliveryCount "Minimum value is 1" (QueueProperties.MaxDeliveryCount, Azure.Messaging.ServiceBus docs).
    if (!(this.maxDeliveryCount >= 1)) throw new RangeError('maxDeliveryCount must be at least 1');
    if (!(this.lockDurationInMs > 0)) throw new RangeError('lockDurationInMs must be positive');
    this.active = new SubQueue(this, 'active');
    this.deadLetter = new SubQueue(this, 'deadLetter');
  }

  /**
   * Accepts a message from a sender. With duplicate detection on, a `messageId` already seen within the window
   * is accepted and silently dropped (duplicate-detection.md: "the message is accepted… but is instantly ignored").
   */
  send(content: Content, messageId: string, timeToLiveInMs?: number): 'enqueued' | 'duplicate' {
    const now = Date.now();
    if (this.duplicateDetectionWindowInMs > 0) {
      for (const [id, seenAt] of this.recentMessageIds) {
        if (seenAt + this.duplicateDetectionWindowInMs > now) break;
        this.recentMessageIds.delete(id);
      }
      if (this.recentMessageIds.has(messageId)) {
        this.active.stats.duplicatesDropped++;
        return 'duplicate';
      }
      this.recentMessageIds.set(messageId, now);
    }
    this.active.add({
      sequenceNumber: this.nextSequenceNumber++,
      enqueuedTimeUtc: new Date(now),
      content,
      expiresAtMs: timeToLiveInMs === undefined ? Number.POSITIVE_INFINITY : now + timeToLiveInMs,
      modifiedProperties: {},
      deliveryCount: 0,
    });
    this.active.stats.sent++;
    return 'enqueued';
  }

  dispose(): void {
    this.active.dispose();
    this.deadLetter.dispose();
  }
}

/** The queue itself or its dead-letter sub-queue: both support peek-lock, receive-and-delete and peek. */
export class SubQueue<Content> {
  readonly stats: QueueStats = {
    sent: 0,
    completed: 0,
    abandoned: 0,
    deadLettered: 0,
    expiredLocks: 0,
    duplicatesDropped: 0,
    receivedAndDeleted: 0,
    expired: 0,
  };
  /** Keyed by sequence number; insertion order is delivery order (FIFO). */
  private readonly messages = new Map<number, BrokeredMessage<Content>>();
  private readonly locks = new Map<string, BrokeredMessage<Content>>();
  private readonly watchers = new Set<() => void>();
  private notificationPending = false;

  constructor(
    readonly queue: Queue<Content>,
    readonly kind: 'active' | 'deadLetter',
  ) {}

  get size(): number {
    return this.messages.size;
  }

  list(): BrokeredMessage<Content>[] {
    this.dropExpired();
    return [...this.messages.values()];
  }

  /** Calls `listener` (batched, asynchronously) whenever messages may have become available or gone. */
  watch(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  add(message: BrokeredMessage<Content>): void {
    this.messages.set(message.sequenceNumber, message);
    this.notify();
  }

  /** Hands out the oldest message nobody holds a lock on: locked (peek-lock) or removed (receive-and-delete). */
  receive(mode: ReceiveMode): { message: BrokeredMessage<Content>; lockToken?: string } | undefined {
    this.dropExpired();
    for (const message of this.messages.values()) {
      if (message.lock) continue;
      if (mode === 'receiveAndDelete') {
        this.messages.delete(message.sequenceNumber);
        this.stats.receivedAndDeleted++;
        this.notify();
        return { message };
      }
      const token = randomUUID();
      this.lock(message, token);
      return { message, lockToken: token };
    }
    return undefined;
  }

  complete(lockToken: string): SettleOutcome {
    const message = this.lockedMessage(lockToken);
    if (!message) return lockLost;
    this.unlock(message);
    this.messages.delete(message.sequenceNumber);
    this.stats.completed++;
    this.notify();
    return { ok: true };
  }

  /** Abandon raises the delivery count (QueueProperties.MaxDeliveryCount remarks) and frees the message. */
  abandon(lockToken: string, propertiesToModify: Record<string, unknown> = {}): SettleOutcome {
    const message = this.lockedMessage(lockToken);
    if (!message) return lockLost;
    Object.assign(message.modifiedProperties, propertiesToModify);
    this.stats.abandoned++;
    this.failDelivery(message);
    return { ok: true };
  }

  deadLetterMessage(
    lockToken: string,
    reason: string | undefined,
    description: string | undefined,
    propertiesToModify: Record<string, unknown> = {},
  ): SettleOutcome {
    // "you can't dead-letter a message from a DLQ" (service-bus-dead-letter-queues.md); the error text is ours.
    if (this.kind === 'deadLetter') {
      return {
        ok: false,
        condition: 'amqp:not-allowed',
        description: 'Cannot dead-letter a message from a dead-letter queue.',
      };
    }
    const message = this.lockedMessage(lockToken);
    if (!message) return lockLost;
    this.moveToDeadLetter(message, reason, description, propertiesToModify);
    return { ok: true };
  }

  /** Restarts the lock for another lock duration; undefined when the lock is gone. */
  renewLock(lockToken: string): Date | undefined {
    const message = this.lockedMessage(lockToken);
    if (!message) return undefined;
    this.unlock(message);
    this.lock(message, lockToken);
    return message.lock?.lockedUntilUtc;
  }

  /**
   * Messages from `fromSequenceNumber` on, without locking them; locked ones included ("Locked messages: Yes",
   * https://learn.microsoft.com/azure/service-bus-messaging/message-browsing), their lock state not shown.
   */
  peek(fromSequenceNumber: number, count: number): BrokeredMessage<Content>[] {
    return this.list()
      .filter((message) => message.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count);
  }

  dispose(): void {
    for (const message of this.locks.values()) this.unlock(message);
    this.watchers.clear();
  }

  private lock(message: BrokeredMessage<Content>, token: string): void {
    const lockedUntilUtc = new Date(Date.now() + this.queue.lockDurationInMs);
    const timer = setTimeout(() => this.expireLock(message, token), this.queue.lockDurationInMs);
    timer.unref();
    message.lock = { token, lockedUntilUtc, timer };
    this.locks.set(token, message);
  }

  private unlock(message: BrokeredMessage<Content>): void {
    if (!message.lock) return;
    clearTimeout(message.lock.timer);
    this.locks.delete(message.lock.token);
    message.lock = undefined;
  }

  /** The message under a live lock, expiring it first if its timer is merely late. */
  private lockedMessage(lockToken: string): BrokeredMessage<Content> | undefined {
    const message = this.locks.get(lockToken.toLowerCase());
    if (!message?.lock) return undefined;
    if (message.lock.lockedUntilUtc.getTime() <= Date.now()) {
      this.expireLock(message, message.lock.token);
      return undefined;
    }
    return message;
  }

  /** An expired lock counts as a failed delivery, exactly like abandon. */
  private expireLock(message: BrokeredMessage<Content>, token: string): void {
    if (message.lock?.token !== token) return;
    this.stats.expiredLocks++;
    this.failDelivery(message);
  }

  /**
   * Past MaxDeliveryCount the broker dead-letters with reason MaxDeliveryCountExceeded (service-bus-dead-letter-queues.md);
   * the description text is as observed on a real namespace: "Message could not be consumed after 3 delivery attempts."
   * The DLQ itself has no delivery limit.
   */
  private failDelivery(message: BrokeredMessage<Content>): void {
    this.unlock(message);
    message.deliveryCount++;
    const limit = this.queue.maxDeliveryCount;
    if (this.kind === 'active' && message.deliveryCount >= limit) {
      this.moveToDeadLetter(
        message,
        'MaxDeliveryCountExceeded',
        `Message could not be consumed after ${limit} delivery attempts.`,
      );
    } else {
      this.notify();
    }
  }

  /** Reason and description travel as application properties `DeadLetterReason` / `DeadLetterErrorDescription`. */
  private moveToDeadLetter(
    message: BrokeredMessage<Content>,
    reason: string | undefined,
    description: string | undefined,
    propertiesToModify: Record<string, unknown> = {},
  ): void {
    this.unlock(message);
    this.messages.delete(message.sequenceNumber);
    const deadLetterProperties: Record<string, unknown> = {};
    if (reason !== undefined) deadLetterProperties.DeadLetterReason = reason;
    if (description !== undefined) deadLetterProperties.DeadLetterErrorDescription = description;
    this.queue.deadLetter.add({
      ...message,
      modifiedProperties: {
        ...message.modifiedProperties,
        ...propertiesToModify,
        ...deadLetterProperties,
      },
      lock: undefined,
    });
    this.stats.deadLettered++;
    this.notify();
  }

  /** Time-to-live is enforced on the queue only: "time-to-live isn't observed" in a DLQ. Locked messages wait. */
  private dropExpired(): void {
    if (this.kind === 'deadLetter') return;
    const now = Date.now();
    for (const message of this.messages.values()) {
      if (!message.lock && message.expiresAtMs <= now) {
        this.messages.delete(message.sequenceNumber);
        this.stats.expired++;
      }
    }
  }

  private notify(): void {
    if (this.notificationPending) return;
    this.notificationPending = true;
    queueMicrotask(() => {
      this.notificationPending = false;
      for (const watcher of this.watchers) watcher();
    });
  }
}
