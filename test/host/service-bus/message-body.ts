/**
 * The first argument a Service Bus handler receives: the body as text, parsed when it is JSON. The Functions host
 * hands Node "either a string or JSON object" and the worker JSON-parses strings where it can
 * (azure-functions-nodejs-library src/converters/fromRpcTypedData.ts, `tryJsonParse`). The receiver runs with
 * `skipParsingBodyAsJson`, so this sees the raw bytes exactly as sent.
 */
export function triggerInputFromBody(body: unknown): unknown {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array)
    return tryJsonParse(Buffer.from(body).toString('utf8'));
  if (typeof body === 'string') return tryJsonParse(body);
  return body; // an AMQP value or sequence body, passed on as decoded
}

function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
