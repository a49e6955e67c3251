import type { Settings } from '../config/settings.js';
import { normalizeWorkspaceUrl } from '../config/settings.js';
import type { Reason } from '../errors.js';
import type { ConnectionRequest } from '../request/connection-request-schema.js';

export type PolicyResult = { ok: true; workspace: string } | { ok: false; reasons: Reason[] };

/**
 * Rules a valid request must still pass: an org credential may only be pointed at an allowed workspace
 * and an allowed SQL host (DESIGN.md §2 step 3).
 */
export function checkRequestPolicy(
  request: ConnectionRequest,
  settings: Pick<Settings, 'workspaces' | 'sqlHostPatterns'>,
): PolicyResult {
  const reasons: Reason[] = [];
  const workspace = request.workspace
    ? normalizeWorkspaceUrl(request.workspace)
    : settings.workspaces.default;
  if (!workspace) {
    reasons.push({
      code: 'WORKSPACE_NOT_ALLOWED',
      path: 'workspace',
      message: `workspace: missing, and the provisioner has no default workspace; name one of: ${settings.workspaces.allowed.join(', ')}.`,
    });
  } else if (!settings.workspaces.allowed.includes(workspace)) {
    reasons.push({
      code: 'WORKSPACE_NOT_ALLOWED',
      path: 'workspace',
      message: `workspace: ${workspace} is not on the provisioner's allow-list; allowed: ${settings.workspaces.allowed.join(', ')}.`,
    });
  }
  if (request.action === 'upsert' && !hostMatchesAny(request.connection.host, settings.sqlHostPatterns)) {
    reasons.push({
      code: 'HOST_NOT_ALLOWED',
      path: 'connection.host',
      message: `connection.host: ${request.connection.host} does not match the allowed SQL host patterns (${settings.sqlHostPatterns.join(', ')}).`,
    });
  }
  return reasons.length > 0 || !workspace ? { ok: false, reasons } : { ok: true, workspace };
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
