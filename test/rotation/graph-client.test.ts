import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { GraphClient } from '../../src/graph/graph-client.js';
import { GraphApiError, GraphTokenError } from '../../src/graph/graph-error.js';
import { type EntraStandIn, startEntra, wellKnownResources } from '../emulators/entra/index.js';
import { type GraphStandIn, startGraph } from '../emulators/graph/index.js';

const retry = { maxAttempts: 4, baseDelayInMs: 10, maxDelayInMs: 50, budgetInMs: 5000 };

describe('GraphClient against the Graph stand-in', () => {
  let entra: EntraStandIn;
  let graph: GraphStandIn;
  let client: GraphClient;
  let target: { appId: string };
  const clientFor = (appId: string, secret: string) =>
    new GraphClient({
      baseUrl: graph.url,
      credential: new ClientSecretCredential(entra.defaultTenantId, appId, secret, {
        authorityHost: entra.url,
        disableInstanceDiscovery: true,
      }),
      retry,
    });

  beforeAll(async () => {
    entra = await startEntra();
    graph = await startGraph({ entra });
    const rotator = entra.directory.registerApp({ displayName: 'rotator' });
    const secret = entra.directory.addPassword(rotator.appId);
    entra.directory.grantAppRole(rotator.appId, wellKnownResources.graph, 'Application.ReadWrite.OwnedBy');
    target = entra.directory.registerApp({ displayName: 'target' });
    entra.directory.addOwner(target.appId, rotator.appId);
    client = clientFor(rotator.appId, secret.secretText ?? '');
  });
  afterAll(async () => {
    await client?.close();
    await graph?.close();
    await entra?.close();
  });

  it('adds a password with our display name and end date, lists it without its text, and removes it', async () => {
    const endDateTime = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
    const added = await client.addPassword(target.appId, {
      displayName: 'ucprov-rotation:test',
      endDateTime,
    });
    expect(added).toMatchObject({
      displayName: 'ucprov-rotation:test',
      endDateTime,
      secretText: expect.any(String),
    });
    expect(added.hint).toBe(added.secretText.slice(0, 3));

    const listed = await client.listPasswordCredentials(target.appId);
    expect(listed).toContainEqual(
      expect.objectContaining({ keyId: added.keyId, displayName: 'ucprov-rotation:test' }),
    );
    expect(JSON.stringify(listed)).not.toContain(added.secretText);

    await client.removePassword(target.appId, added.keyId);
    expect((await client.listPasswordCredentials(target.appId)).map((p) => p.keyId)).not.toContain(
      added.keyId,
    );
  });

  it('maps a refusal to GraphApiError with Graph’s code and request id, without retrying it', async () => {
    const stranger = entra.directory.registerApp({ displayName: 'not-owned' });
    const before = graph.control.requestLog().length;
    const error = await client.listPasswordCredentials(stranger.appId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({
      status: 403,
      code: 'Authorization_RequestDenied',
      requestId: expect.any(String),
    });
    expect(graph.control.requestLog().length - before).toBe(1);
  });

  it('retries throttling (429 with Retry-After) and then succeeds', async () => {
    graph.control.injectFault({ status: 429, count: 2, retryAfterInSeconds: 0 });
    await expect(client.listPasswordCredentials(target.appId)).resolves.toEqual(expect.any(Array));
  });

  it('gives up on a lasting 503 with a TransientError naming Graph', async () => {
    graph.control.injectFault({ status: 503, count: retry.maxAttempts });
    const error = await client.listPasswordCredentials(target.appId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ service: 'graph', message: expect.stringContaining('4 attempt(s)') });
  });

  it('reports an identity that cannot get a Graph token as a non-transient GraphTokenError', async () => {
    const wrong = clientFor(target.appId, 'not-the-secret');
    const error = await wrong.listPasswordCredentials(target.appId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphTokenError);
    expect(error).toMatchObject({ transient: false, message: expect.stringContaining('AADSTS7000215') });
    await wrong.close();
  });

  it('refuses an appId that is not a GUID before sending anything', async () => {
    await expect(client.removePassword("x') or (1 eq 1", 'k')).rejects.toThrow(
      "appId must be an application (client) id GUID, got 'x') or (1 eq 1'.",
    );
  });
});
