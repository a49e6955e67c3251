import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestJsonSchema } from '../src/request/request-json-schema.js';

const target = join(import.meta.dirname, '..', 'schema', 'connection-request.schema.json');
writeFileSync(target, `${JSON.stringify(requestJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
