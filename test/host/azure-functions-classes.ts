import { createRequire } from 'node:module';

/**
 * The classes of `@azure/functions`, loaded with `require`. The package is a CommonJS webpack bundle whose
 * class exports Node's ESM loader cannot detect, so `import { HttpRequest } from '@azure/functions'` fails in
 * plain Node ESM (only names like `app` are detected). Loading it this way shares the one module instance the
 * function modules use, so `instanceof HttpResponse` holds for what their handlers return.
 */
const require = createRequire(import.meta.url);

export const { HttpRequest, HttpResponse, InvocationContext } =
  require('@azure/functions') as typeof import('@azure/functions');
