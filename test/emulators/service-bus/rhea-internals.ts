import rhea, { type Receiver, type Sender } from 'rhea';

// rhea 3.0.5 keeps these on its objects (lib/link.js, lib/message.js) but leaves them out of its typings.

interface LinkInternals {
  local: { attach: { max_message_size?: number; snd_settle_mode?: number; rcv_settle_mode?: number } };
  credit: number;
  delivery_count: number;
  _draining: boolean;
  _drained: boolean;
  _get_drain(): boolean;
}

export const internals = (link: Sender | Receiver) => link as unknown as LinkInternals;

/** Delivery outcomes (`accepted()`, `rejected({error})`, `modified({...})`), ready to be `described()`. */
export const outcomes = rhea.message as unknown as Record<
  'accepted' | 'rejected' | 'modified',
  (fields?: object) => { described(): unknown }
>;
