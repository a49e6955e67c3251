/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts. For APIs that ignore
 * their abort signal (e.g. `ClientSecretCredential.getToken` keeps waiting on a hung token endpoint):
 * the caller stops waiting even though the underlying work cannot be cancelled.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
