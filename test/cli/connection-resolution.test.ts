import { describe, expect, it } from 'vitest';
import { CliError } from '../../cli/cli-error.js';
import { resolveServiceBusTarget } from '../../cli/connection/service-bus-target.js';
import { resolveStatusEndpoint } from '../../cli/connection/status-endpoint.js';

const flagConnection =
  'Endpoint=sb://flag.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=a2V5';
const envConnection =
  'Endpoint=sb://env.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=a2V5';
const sandbox = () => ({
  file: '.sandbox/endpoints.json',
  serviceBusConnectionString:
    'Endpoint=sb://127.0.0.1:7105;SharedAccessKeyName=k;SharedAccessKey=a2V5;UseDevelopmentEmulator=true',
  requestQueue: 'sandbox-requests',
  functionsBaseUrl: 'http://127.0.0.1:7071',
  functionKey: 'sandbox-function-key',
});
const noSandbox = () => undefined;

function failure(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('which Service Bus ucprov talks to', () => {
  it('prefers the option over the environment over the sandbox', () => {
    const env = { UCPROV_SERVICEBUS_CONNECTION_STRING: envConnection };
    expect(resolveServiceBusTarget({ 'connection-string': flagConnection }, env, sandbox)).toMatchObject({
      host: 'flag.servicebus.windows.net',
      source: '--connection-string',
    });
    expect(resolveServiceBusTarget({}, env, sandbox)).toMatchObject({
      host: 'env.servicebus.windows.net',
      source: 'UCPROV_SERVICEBUS_CONNECTION_STRING',
    });
    expect(resolveServiceBusTarget({}, {}, sandbox)).toMatchObject({
      host: '127.0.0.1:7105',
      queue: 'sandbox-requests',
      source: '.sandbox/endpoints.json',
    });
  });

  it('ignores blank environment variables, as CI systems set them', () => {
    expect(
      resolveServiceBusTarget({}, { UCPROV_SERVICEBUS_CONNECTION_STRING: ' ', UCPROV_QUEUE: '' }, sandbox),
    ).toMatchObject({ source: '.sandbox/endpoints.json', queue: 'sandbox-requests' });
  });

  it('signs in to a namespace with DefaultAzureCredential, accepting it with or without sb://', () => {
    for (const namespace of ['mybus.servicebus.windows.net', 'sb://mybus.servicebus.windows.net/']) {
      expect(resolveServiceBusTarget({ namespace }, {}, noSandbox)).toEqual({
        kind: 'namespace',
        fullyQualifiedNamespace: 'mybus.servicebus.windows.net',
        host: 'mybus.servicebus.windows.net',
        queue: 'connection-requests',
        source: '--namespace',
      });
    }
    expect(
      resolveServiceBusTarget(
        {},
        { UCPROV_SERVICEBUS_NAMESPACE: 'ci.servicebus.windows.net', UCPROV_QUEUE: 'q' },
        noSandbox,
      ),
    ).toMatchObject({ kind: 'namespace', queue: 'q', source: 'UCPROV_SERVICEBUS_NAMESPACE' });
  });

  it('takes the queue from EntityPath and refuses a different --queue', () => {
    const scoped = `${flagConnection};EntityPath=requests-prod`;
    expect(resolveServiceBusTarget({ 'connection-string': scoped }, {}, noSandbox).queue).toBe(
      'requests-prod',
    );
    expect(
      failure(() => resolveServiceBusTarget({ 'connection-string': scoped, queue: 'other' }, {}, noSandbox))
        .message,
    ).toBe(
      "--connection-string is scoped to queue 'requests-prod' (EntityPath) but the queue asked for is 'other'; drop --queue/UCPROV_QUEUE or use a namespace-level connection string.",
    );
  });

  it('refuses both a connection string and a namespace', () => {
    const error = failure(() =>
      resolveServiceBusTarget(
        { 'connection-string': flagConnection, namespace: 'x.servicebus.windows.net' },
        {},
        noSandbox,
      ),
    );
    expect(error.exitCode).toBe(2);
  });
});

describe('which status endpoint ucprov reads', () => {
  it('accepts the base URL with or without /api and a trailing slash', () => {
    for (const url of ['https://myapp.azurewebsites.net', 'https://myapp.azurewebsites.net/api/']) {
      expect(
        resolveStatusEndpoint({ 'functions-url': url, 'function-key': 'k' }, {}, noSandbox).baseUrl,
      ).toBe('https://myapp.azurewebsites.net');
    }
  });

  it('allows plain http only for this machine', () => {
    expect(
      resolveStatusEndpoint(
        {},
        { UCPROV_FUNCTIONS_URL: 'http://localhost:7071', UCPROV_FUNCTION_KEY: 'k' },
        noSandbox,
      ).baseUrl,
    ).toBe('http://localhost:7071');
    expect(
      failure(() =>
        resolveStatusEndpoint({ 'functions-url': 'http://10.0.0.4', 'function-key': 'k' }, {}, noSandbox),
      ).exitCode,
    ).toBe(2);
  });

  it("never sends the sandbox's key to a URL given explicitly", () => {
    const error = failure(() =>
      resolveStatusEndpoint({ 'functions-url': 'https://myapp.azurewebsites.net' }, {}, sandbox),
    );
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(
      'No function key for the status endpoint: pass --function-key or set UCPROV_FUNCTION_KEY',
    );
  });

  it('uses the sandbox when nothing is given', () => {
    expect(resolveStatusEndpoint({}, {}, sandbox)).toEqual({
      baseUrl: 'http://127.0.0.1:7071',
      functionKey: 'sandbox-function-key',
      source: '.sandbox/endpoints.json',
    });
  });
});
