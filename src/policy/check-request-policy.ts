import type { Settings } from '../config/settings.js';
import { normalizeWorkspaceUrl } from '../config/settings.js';
import type { Reason } from '../errors.js';
import type { ConnectionRequest } from '../request/connection-request-schema.js';

export type PolicyResult = { ok: true; workspace: string } | { ok: false; reasons: Reason[] };
type PolicySettings = Pick<Settings, 'workspaces' | 'sqlHostPatterns'>;

/**
 * Rules a valid request must still pass: an org credential may only be pointed at an allowed workspace
 * and an allowed SQL host.
 */
export function checkRequestPolicy(request: ConnectionRequest, settings: PolicySettings): PolicyResult {
  const workspace = request.workspace
    ? normalizeWorkspaceUrl(request.workspace)
    : settings.workspaces.default;
  const reasons = [
    ...workspaceReasons(workspace, settings),
    ...(request.action === 'upsert' ? hostReasons(request.connection.host, settings) : []),
  ];
  return reasons.length > 0 || !workspace ? { ok: false, reasons } : { ok: true, workspace };
}

/**
 * The same rules for a request that failed validation, applied to whichever of its fields are well-formed,
 * so the requester learns every reason at once instead of one round trip per rule.
 */
export function policyReasonsForInvalidRequest(body: unknown, settings: PolicySettings): Reason[] {
  if (typeof body !== 'object' || body === null) return [];
  const { action, workspace, connection } = body as Record<string, unknown>;
  const reasons: Reason[] = [];
  if (workspace === undefined) reasons.push(...workspaceReasons(settings.workspaces.default, settings));
  else if (typeof workspace === 'string' && URL.canParse(workspace) && workspace.startsWith('https://')) {
    reasons.push(...workspaceReasons(normalizeWorkspaceUrl(workspace), settings));
  }
  const host = (connection as { host?: unknown } | null | undefined)?.host;
  if (action === 'upsert' && typeof host === 'string' && /^[A-Za-z0-9.-]+$/.test(host)) {
    reasons.push(...hostReasons(host, settings));
  }
  return reasons;
}

function workspaceReasons(workspace: string | undefined, settings: PolicySettings): Reason[] {
  if (!workspace) {
    return [
      {
        code: 'WORKSPACE_NOT_ALLOWED',
        path: 'workspace',
        message: `workspace: missing, and the provisioner has no default workspace; name one of: ${settings.workspaces.allowed.join(', ')}.`,
      },
    ];
  }
  if (settings.workspaces.allowed.includes(workspace)) return [];
  return [
    {
      code: 'WORKSPACE_NOT_ALLOWED',
      path: 'workspace',
      message: `workspace: ${workspace} is not on the provisioner's allow-list; allowed: ${settings.workspaces.allowed.join(', ')}.`,
    },
  ];
}

function hostReasons(host: string, settings: PolicySettings): Reason[] {
  if (hostMatchesAny(host, settings.sqlHostPatterns)) return [];
  return [
    {
      code: 'HOST_NOT_ALLOWED',
      path: 'connection.host',
      message: `connection.host: ${host} does not match the allowed SQL host patterns (${settings.sqlHostPatterns.join(', ')}).`,
    },
  ];
}

/** `*.example.net` matches exactly one DNS label in place of `*`; anything else must match exactly. */
export function hostMatchesAny(host: string, patterns: readonly string[]): boolean {
  const candidate = host.toLowerCase();
  return patterns.some((pattern) =>
    pattern.startsWith('*.')
      ? candidate.endsWith(pattern.slice(1)) && /^[a-z0-9-]+$/.test(candidate.slice(0, -pattern.length + 1))
      : candidate === pattern,
  );
}
