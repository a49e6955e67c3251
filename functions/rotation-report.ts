import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { defineHttpFunction } from './shared/define-function.js';
import { getRuntime, invocationSink } from './shared/runtime.js';

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const noStore = { 'cache-control': 'no-store' };

/**
 * `GET /api/rotations`: every rotation record and where it stands, and the app registrations the inventory's
 * connections use (rotated yet or not). Function key; never shows a secret.
 */
export async function rotationReport(
  _request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const rotation = (await getRuntime()).secretRotation(invocationSink(context));
  const [rotations, apps] = await Promise.all([rotation.records(), rotation.managedApps()]);
  return { status: 200, jsonBody: { rotations, apps }, headers: noStore };
}

/**
 * `POST /api/rotations/{tenantId}/{clientId}`: rotate this app's secrets now, through the same recorded state
 * machine as the timer (a rotation in progress continues; the old secret still waits for the grace period).
 * Answers with the outcome per secret and the records.
 */
export async function requestRotation(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const tenantId = request.params.tenantId ?? '';
  const clientId = request.params.clientId ?? '';
  const invalid = [
    ...(guid.test(tenantId)
      ? []
      : [`tenantId: expected a GUID such as 00000000-0000-0000-0000-000000000000, got '${tenantId}'`]),
    ...(guid.test(clientId) ? [] : [`clientId: expected an application (client) id GUID, got '${clientId}'`]),
  ];
  if (invalid.length > 0) {
    return {
      status: 400,
      jsonBody: { error: { code: 'InvalidAppRegistration', message: invalid.join('; ') } },
    };
  }
  const rotation = (await getRuntime()).secretRotation(invocationSink(context));
  const results = await rotation.rotateNow(tenantId, clientId);
  if (!results) {
    return {
      status: 404,
      jsonBody: {
        error: {
          code: 'AppNotManaged',
          message: `No connection in the inventory uses app ${clientId} in tenant ${tenantId}, so there is no secret to rotate; check both ids (GET /api/rotations lists the apps rotation knows).`,
        },
      },
    };
  }
  const records = (await rotation.records()).filter(
    (record) => record.tenantId === tenantId.toLowerCase() && record.clientId === clientId.toLowerCase(),
  );
  const locked = results.every((result) => result.outcome === 'locked');
  return { status: locked ? 409 : 200, jsonBody: { results, rotations: records }, headers: noStore };
}

defineHttpFunction('rotationReport', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'rotations',
  handler: rotationReport,
});

defineHttpFunction('requestRotation', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'rotations/{tenantId}/{clientId}',
  handler: requestRotation,
});
