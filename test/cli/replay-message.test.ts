import { describe, expect, it } from 'vitest';
import { replayMessageId } from '../../cli/dlq/replay-message.js';

describe('replayMessageId', () => {
  it('suffixes a first replay with -replay-1', () => {
    expect(replayMessageId('sales-sql-001')).toBe('sales-sql-001-replay-1');
  });

  it('counts up from an earlier replay instead of stacking suffixes', () => {
    expect(replayMessageId('sales-sql-001-replay-1')).toBe('sales-sql-001-replay-2');
    expect(replayMessageId('sales-sql-001-replay-9')).toBe('sales-sql-001-replay-10');
  });

  it('skips ids already taken, so two copies of one message never share an id', () => {
    const taken = new Set(['r-replay-1', 'r-replay-2']);
    expect(replayMessageId('r', taken)).toBe('r-replay-3');
  });

  it('stays within the 128 characters Service Bus allows for a MessageId', () => {
    const longest = `r${'x'.repeat(127)}`;
    const first = replayMessageId(longest);
    expect(first).toHaveLength(128);
    expect(first.endsWith('-replay-1')).toBe(true);
    expect(replayMessageId(first)).toBe(`${first.slice(0, -'-replay-1'.length)}-replay-2`);
  });
});
