import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestJsonSchema } from '../../src/request/request-json-schema.js';
import { validateRequest } from '../../src/request/validate-request.js';

const root = join(import.meta.dirname, '..', '..');

describe('the published request contract', () => {
  it('schema/connection-request.schema.json matches the schema in code (run `npm run schema` after changing it)', () => {
    const published = JSON.parse(
      readFileSync(join(root, 'schema', 'connection-request.schema.json'), 'utf8'),
    );
    expect(published).toEqual(requestJsonSchema());
  });

  it.each(readdirSync(join(root, 'examples')).filter((file) => file.endsWith('.json')))(
    'examples/%s is a valid request',
    (file) => {
      const body = readFileSync(join(root, 'examples', file), 'utf8');
      const result = validateRequest(body, 'message-id');
      expect(result.ok ? [] : result.reasons).toEqual([]);
    },
  );
});
