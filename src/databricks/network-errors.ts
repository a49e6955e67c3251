/**
 * Socket-level failures worth another try: resets, refusals and timeouts (the Go SDK's
 * isTransientNetworkError in config/experimental/auth/retry.go), undici's socket and timeout errors, and a
 * DNS lookup that timed out. TLS failures (a bad certificate) are deliberately absent: they do not heal.
 * @see https://undici.nodejs.org/#/docs/api/Errors
 */
export const transientNetworkCodes: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * True for a transient network failure or our own per-attempt timeout (`AbortSignal.timeout` aborts with
 * a `TimeoutError`). undici and Node sometimes wrap the socket error, so the cause chain is searched.
 */
export function isTransientNetworkError(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    if (current.name === 'TimeoutError') return true;
    const { code } = current as Error & { code?: unknown };
    if (typeof code === 'string' && transientNetworkCodes.has(code)) return true;
  }
  return false;
}
