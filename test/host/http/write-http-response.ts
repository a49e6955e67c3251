import type { ServerResponse } from 'node:http';
import type { HttpResponseInit } from '@azure/functions';
import { HttpResponse } from '../azure-functions-classes.js';
import { toSetCookieHeader } from './set-cookie.js';

/**
 * Sends what an HTTP handler returned, converted as the worker converts it (azure-functions-nodejs-library
 * src/converters/toRpcHttp.ts): an `HttpResponse` as is, a plain `HttpResponseInit` through `new HttpResponse(init)`
 * (which serialises `jsonBody` and sets `content-type: application/json`), anything else that is not an object is
 * an error. Nothing returned means 204 No Content, the Functions 2.x+ default
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-output).
 */
export async function writeHttpResponse(res: ServerResponse, result: unknown): Promise<void> {
  if (result === undefined || result === null) {
    res.writeHead(204).end();
    return;
  }
  if (typeof result !== 'object') {
    throw new TypeError(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result as HttpResponseInit);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Array<[string, string]> = [];
  for (const [name, value] of response.headers.entries()) {
    if (name !== 'set-cookie') headers.push([name, value]);
  }
  const setCookies = [...response.headers.getSetCookie(), ...response.cookies.map(toSetCookieHeader)];
  res.statusCode = response.status;
  for (const [name, value] of headers) res.setHeader(name, value);
  if (setCookies.length > 0) res.setHeader('set-cookie', setCookies);
  res.end(body);
}
