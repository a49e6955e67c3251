import { CliError } from '../cli-error.js';
import { cliSecrets } from '../cli-secrets.js';
import { envValue } from './env-value.js';
import { readSandboxEndpoints, type SandboxEndpoints, sandboxEndpointsPath } from './sandbox-endpoints.js';

/** The function app's base URL (without `/api`) and the function key the status endpoint requires. */
export interface StatusEndpoint {
  baseUrl: string;
  functionKey: string;
  source: string;
}

export interface StatusEndpointOptionValues {
  'functions-url'?: string;
  'function-key'?: string;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Picks the status endpoint: `--functions-url`/`--function-key`, then `UCPROV_FUNCTIONS_URL`/
 * `UCPROV_FUNCTION_KEY`, then `.sandbox/endpoints.json` (only when no URL was given, so a key is never
 * sent to a URL it was not issued for).
 */
export function resolveStatusEndpoint(
  values: StatusEndpointOptionValues,
  env: NodeJS.ProcessEnv = process.env,
  sandbox: () => SandboxEndpoints | undefined = readSandboxEndpoints,
): StatusEndpoint {
  const url = values['functions-url'] ?? envValue(env, 'UCPROV_FUNCTIONS_URL');
  if (url !== undefined) {
    const source = values['functions-url'] !== undefined ? '--functions-url' : 'UCPROV_FUNCTIONS_URL';
    const key = values['function-key'] ?? envValue(env, 'UCPROV_FUNCTION_KEY');
    if (!key) {
      throw CliError.connection(
        'No function key for the status endpoint: pass --function-key or set UCPROV_FUNCTION_KEY ' +
          "(Azure: 'az functionapp function keys list' for requestStatus, or the app's default host key).",
      );
    }
    cliSecrets.remember(key);
    return { baseUrl: normalizeBaseUrl(url, source), functionKey: key, source };
  }
  const endpoints = sandbox();
  if (endpoints?.functionsBaseUrl && endpoints.functionKey) {
    cliSecrets.remember(values['function-key'] ?? endpoints.functionKey);
    return {
      baseUrl: normalizeBaseUrl(endpoints.functionsBaseUrl, sandboxEndpointsPath),
      functionKey: values['function-key'] ?? endpoints.functionKey,
      source: sandboxEndpointsPath,
    };
  }
  throw CliError.connection(
    'No status endpoint: pass --functions-url https://<app>.azurewebsites.net and --function-key, ' +
      "or set UCPROV_FUNCTIONS_URL and UCPROV_FUNCTION_KEY, or start 'npm run sandbox -- --detach' in this directory.",
  );
}

/**
 * Accepts the app's base URL with or without a trailing `/api`. Plain http only to loopback: the
 * function key travels in a header, and over http anyone on the path could read it.
 */
function normalizeBaseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw CliError.usage(
      `${source}: expected a URL such as https://myapp.azurewebsites.net, got '${value}'.`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.has(url.hostname))) {
    throw CliError.usage(
      `${source}: expected an https URL (http only for localhost), got '${url.protocol}//${url.host}': the function key must not travel in clear text.`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${url.origin}${path}`;
}
