import { randomUUID } from 'node:crypto';
import type { Delivery, Message, Sender } from 'rhea';
import { deliveryTagOf, toWireMessage } from './amqp-message.js';
import type { ReceiveMode, SettleOutcome, SubQueue } from './queue.js';
import { internals, outcomes } from './rhea-internals.js';

// The delivering side of the broker: the client's receivers (our senders), their credit, and settlement.

/** A peek-lock or receive-and-delete receiver of the client. */
interface Consumer {
  sender: Sender;
  subQueue: SubQueue<Message>;
  mode: ReceiveMode;
  /** Transfers handed to rhea, plus credit given back by drains: rhea's own counters lag behind. */
  sent: number;
}

type Outcome = 'accepted' | 'modified' | 'rejected' | 'released';

export class Consumers {
  private readonly bySubQueue = new Map<SubQueue<Message>, Set<Consumer>>();
  private readonly bySender = new WeakMap<Sender, Consumer>();
  private readonly lockedDeliveries = new WeakMap<
    Delivery,
    { subQueue: SubQueue<Message>; lockToken: string }
  >();

  /** Delivers from `subQueue` whenever messages may have become available. */
  feedFrom(subQueue: SubQueue<Message>): void {
    subQueue.watch(() => this.pump(subQueue));
  }

  /**
   * peekLock links ask for unsettled transfers (snd_settle_mode 0, rcv_settle_mode 1), receiveAndDelete for settled
   * ones (snd_settle_mode 1): createReceiverOptions in node_modules/@azure/service-bus/dist-esm/src/core/shared.js.
   */
  add(sender: Sender, subQueue: SubQueue<Message>): void {
    const attach = internals(sender).local.attach;
    attach.snd_settle_mode = sender.snd_settle_mode;
    attach.rcv_settle_mode = sender.rcv_settle_mode;
    const consumer: Consumer = {
      sender,
      subQueue,
      mode: sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock',
      sent: 0,
    };
    this.bySender.set(sender, consumer);
    answerEveryDrain(sender);
    const set = this.bySubQueue.get(subQueue) ?? new Set<Consumer>();
    set.add(consumer);
    this.bySubQueue.set(subQueue, set);
  }

  /** The client granted credit. */
  serve(sender: Sender | undefined): void {
    const consumer = sender && this.bySender.get(sender);
    if (consumer) this.pump(consumer.subQueue);
  }

  /**
   * The SDK drains leftover credit when `receiveMessages` times out (batchingReceiver.js). Send what is available,
   * then give the rest back; rhea writes the pending transfers before the drain flow.
   */
  drain(sender: Sender | undefined): void {
    const consumer = sender && this.bySender.get(sender);
    if (!sender || !consumer) return;
    this.pump(consumer.subQueue);
    consumer.sent += Math.max(0, this.creditOf(consumer));
    sender.set_drained(true);
  }

  /**
   * Settlement of a delivered message (as @azure/service-bus 7.9 sends it, observed on the wire): accepted =
   * complete, modified = abandon (or defer, when undeliverable_here), rejected with com.microsoft:dead-letter
   * = dead-letter. The broker settles back with a plain outcome on success; an echoed error makes the SDK
   * reject the call (`onMessageSettled`, node_modules/@azure/service-bus/dist-esm/src/core/shared.js).
   */
  settle(delivery: Delivery | undefined, outcome: Outcome): void {
    const locked = delivery && this.lockedDeliveries.get(delivery);
    if (!delivery || !locked) return;
    this.lockedDeliveries.delete(delivery);
    const { subQueue, lockToken } = locked;
    const state = (delivery.remote_state ?? {}) as {
      undeliverable_here?: boolean;
      message_annotations?: Record<string, unknown>;
      error?: { info?: Record<string, unknown> };
    };
    let result: SettleOutcome | { ok: false; condition: string; description: string };
    let echo = outcomes.accepted();
    if (outcome === 'accepted') {
      result = subQueue.complete(lockToken);
    } else if (outcome === 'modified' && state.undeliverable_here) {
      result = {
        ok: false,
        condition: 'amqp:not-implemented',
        description: 'Deferral is not supported by the stand-in.',
      };
    } else if (outcome === 'rejected') {
      const { DeadLetterReason, DeadLetterErrorDescription, ...propertiesToModify } = state.error?.info ?? {};
      const reason = DeadLetterReason as string | undefined;
      const description = DeadLetterErrorDescription as string | undefined;
      result = subQueue.deadLetterMessage(lockToken, reason, description, propertiesToModify);
      echo = outcomes.rejected();
    } else {
      // `released` is treated like abandon [inferred]; the SDK itself only sends `modified` for abandon.
      result = subQueue.abandon(lockToken, state.message_annotations);
      echo = outcomes.modified({ delivery_failed: true, undeliverable_here: false });
    }
    const error = result.ok ? undefined : { condition: result.condition, description: result.description };
    delivery.update(true, (error ? outcomes.rejected({ error }) : echo).described());
  }

  /** Hands available messages to consumers with credit, one each in turn, oldest message first (FIFO). */
  private pump(subQueue: SubQueue<Message>): void {
    const set = this.bySubQueue.get(subQueue);
    if (!set) return;
    for (const consumer of set) if (!consumer.sender.is_open()) set.delete(consumer);
    for (;;) {
      const ready = [...set].filter((consumer) => this.creditOf(consumer) > 0);
      if (ready.length === 0) return;
      for (const consumer of ready) {
        const received = subQueue.receive(consumer.mode);
        if (!received) return;
        const { lockToken } = received;
        const delivery = consumer.sender.send(
          toWireMessage(received.message),
          deliveryTagOf(lockToken ?? randomUUID()),
        );
        consumer.sent++;
        if (lockToken) this.lockedDeliveries.set(delivery, { subQueue, lockToken });
      }
    }
  }

  /**
   * rhea lowers `credit` only when a transfer leaves, so count our own sends: the receiver's limit is
   * `credit + delivery_count` (both rhea's), minus what we handed over. Handing out more would lock messages the
   * client never asked for.
   */
  private creditOf(consumer: Consumer): number {
    const link = internals(consumer.sender);
    return link.credit + link.delivery_count - consumer.sent;
  }
}

/**
 * AMQP 1.0 §2.6.7: a sender asked to drain uses up its credit and answers with a flow carrying `drain=true`.
 * rhea only sets the flag while credit is left, so a drain that arrives after the last transfer went out would
 * go unanswered and the SDK would close its receiver after the drain timeout; answer it in every case.
 */
function answerEveryDrain(sender: Sender): void {
  const link = internals(sender);
  link._get_drain = () => {
    if (!link._draining || !link._drained) return false;
    link.delivery_count += link.credit;
    link.credit = 0;
    return true;
  };
}
