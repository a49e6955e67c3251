import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { defineHttpFunction } from './shared/define-function.js';
import { getRuntime } from './shared/runtime.js';

/** `GET /api/requests/{id}`: what a pipeline polls. Function key required; never shows a secret. */
export async function requestStatus(request: HttpRequest): Promise<HttpResponseInit> {
  const requestId = request.params.id ?? '';
  const view = await (await getRuntime()).statuses.get(requestId);
  if (!view) {
    return {
      status: 404,
      jsonBody: {
        error: { code: 'RequestNotFound', message: `No request with id '${requestId}' is known.` },
      },
    };
  }
  return { status: 200, jsonBody: view, headers: { 'cache-control': 'no-store' } };
}

defineHttpFunction('requestStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'requests/{id}',
  handler: requestStatus,
});
