import type { IncomingMessage } from 'node:http';
import type { HttpRequest as HttpRequestType } from '@azure/functions';
import { HttpRequest } from '../azure-functions-classes.js';

/** The Functions host's default request body limit is 100 MB (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`). */
export const maxRequestBodyInBytes = 100 * 1024 * 1024;

export class RequestBodyTooLargeError extends Error {
  override name = 'RequestBodyTooLargeError';
}

/**
 * The `@azure/functions` request a handler receives, built with the library's own public constructor
 * (`new HttpRequest({method, url, body: {bytes}, headers, params})`; the query is parsed from the URL).
 * Repeated headers are joined as the Fetch `Headers` class joins them (`, `; cookies with `; `).
 */
export async function toHttpRequest(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
): Promise<HttpRequestType> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(name === 'cookie' ? '; ' : ', ');
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const bytes = await readBody(req);
  return new HttpRequest({
    method,
    url: url.toString(),
    headers,
    params,
    ...(bytes.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body: { bytes } } : {}),
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBodyInBytes) throw new RequestBodyTooLargeError('The request body exceeds 100 MB.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
