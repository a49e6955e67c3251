/** Milliseconds since the epoch. Injected so tests can move time (expire leases, date history) without sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
