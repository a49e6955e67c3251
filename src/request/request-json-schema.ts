import { z } from 'zod';
import { connectionRequestSchema } from './connection-request-schema.js';

/** The request contract as JSON Schema (draft 2020-12), for pipelines that validate before sending. */
export function requestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(connectionRequestSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'urn:uc-connection-provisioner:connection-request',
    title: 'uc-connection-provisioner connection request',
  };
}
