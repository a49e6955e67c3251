import { TableClient } from '@azure/data-tables';
import { describe, expect, inject, it } from 'vitest';

describe('Azurite (started by the global test setup)', () => {
  it('serves Table storage with optimistic concurrency through @azure/data-tables', async () => {
    const table = TableClient.fromConnectionString(inject('storageConnectionString'), 'contractprobe', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
    const first = await table.getEntity('p', 'r');
    await table.updateEntity({ partitionKey: 'p', rowKey: 'r', value: 2 }, 'Merge', { etag: first.etag });
    await expect(
      table.updateEntity({ partitionKey: 'p', rowKey: 'r', value: 3 }, 'Merge', { etag: first.etag }),
    ).rejects.toMatchObject({ statusCode: 412 });
    await table.deleteTable();
  });
});
