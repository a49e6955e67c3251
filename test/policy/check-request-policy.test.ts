import { describe, expect, it } from 'vitest';
import {
  checkRequestPolicy,
  hostMatchesAny,
  policyReasonsForInvalidRequest,
} from '../../src/policy/check-request-policy.js';
import type { ConnectionRequest } from '../../src/request/connection-request-schema.js';

const allowed = 'https://adb-1234567890123456.7.azuredatabricks.net';
const other = 'https://adb-2.8.azuredatabricks.net';
const settings = {
  workspaces: { allowed: [allowed, other], default: allowed },
  sqlHostPatterns: ['*.database.windows.net', 'sql.contoso.com'],
};

function upsert(fields: { workspace?: string; host?: string } = {}): ConnectionRequest {
  return {
    action: 'upsert',
    adopt: false,
    ...(fields.workspace ? { workspace: fields.workspace } : {}),
    connection: {
      name: 'sales',
      host: fields.host ?? 'srv.database.windows.net',
      port: 1433,
      trustServerCertificate: false,
    },
    auth: {
      flow: 'M2M',
      tenantId: '00000000-0000-0000-0000-000000000000',
      clientId: '00000000-0000-0000-0000-000000000001',
      clientSecretRef: 'sql-secret',
    },
  };
}

describe('SQL host patterns', () => {
  const patterns = ['*.database.windows.net'];

  it.each(['srv.database.windows.net', 'SRV.Database.Windows.NET', 'my-server-01.database.windows.net'])(
    '%s matches *.database.windows.net',
    (host) => {
      expect(hostMatchesAny(host, patterns)).toBe(true);
    },
  );

  it.each([
    ['evil.com', 'another domain'],
    ['database.windows.net', 'the bare domain: "*" stands for exactly one label'],
    ['a.b.database.windows.net', 'two labels in place of "*"'],
    ['database.windows.net.evil.com', 'the allowed domain as a prefix of another'],
    ['srvdatabase.windows.net', 'a suffix match without the dot'],
    ['srv.database.windows.net.', 'a trailing dot (a different name to a resolver)'],
    ['srv.database.windows.com', 'another top-level domain'],
  ])('%s does not match (%s)', (host) => {
    expect(hostMatchesAny(host, patterns)).toBe(false);
  });

  it('matches a pattern without a wildcard exactly, and only exactly', () => {
    expect(hostMatchesAny('sql.contoso.com', ['sql.contoso.com'])).toBe(true);
    expect(hostMatchesAny('SQL.contoso.com', ['sql.contoso.com'])).toBe(true);
    expect(hostMatchesAny('x.sql.contoso.com', ['sql.contoso.com'])).toBe(false);
    expect(hostMatchesAny('sql.contoso.com.evil.com', ['sql.contoso.com'])).toBe(false);
  });

  it('passes if any pattern matches', () => {
    expect(hostMatchesAny('sql.contoso.com', settings.sqlHostPatterns)).toBe(true);
  });
});

describe('request policy', () => {
  it('uses the default workspace when the request names none', () => {
    expect(checkRequestPolicy(upsert(), settings)).toEqual({ ok: true, workspace: allowed });
  });

  it('normalises the requested workspace to its origin: case, trailing slash and default port do not matter', () => {
    for (const spelled of [
      `${allowed}/`,
      allowed.toUpperCase().replace('HTTPS', 'https'),
      `${allowed}:443`,
      `${allowed}/?o=1234567890123456`,
    ]) {
      expect(checkRequestPolicy(upsert({ workspace: spelled }), settings)).toEqual({
        ok: true,
        workspace: allowed,
      });
    }
  });

  it('refuses a workspace that is not on the allow-list and lists the allowed ones', () => {
    const result = checkRequestPolicy(
      upsert({ workspace: 'https://adb-999.9.azuredatabricks.net' }),
      settings,
    );
    expect(result).toEqual({
      ok: false,
      reasons: [
        {
          code: 'WORKSPACE_NOT_ALLOWED',
          path: 'workspace',
          message: `workspace: https://adb-999.9.azuredatabricks.net is not on the provisioner's allow-list; allowed: ${allowed}, ${other}.`,
        },
      ],
    });
  });

  it('refuses a look-alike workspace host', () => {
    const result = checkRequestPolicy(upsert({ workspace: `${allowed}.evil.com` }), settings);
    expect(result.ok).toBe(false);
  });

  it('refuses a request without workspace when no default is configured, naming the choices', () => {
    const result = checkRequestPolicy(upsert(), { ...settings, workspaces: { allowed: [allowed] } });
    expect(result).toEqual({
      ok: false,
      reasons: [expect.objectContaining({ code: 'WORKSPACE_NOT_ALLOWED', path: 'workspace' })],
    });
    expect(!result.ok && result.reasons[0]?.message).toContain(`name one of: ${allowed}`);
  });

  it('refuses a SQL host outside the patterns, naming the patterns', () => {
    const result = checkRequestPolicy(upsert({ host: 'database.windows.net.evil.com' }), settings);
    expect(result).toEqual({
      ok: false,
      reasons: [
        {
          code: 'HOST_NOT_ALLOWED',
          path: 'connection.host',
          message:
            'connection.host: database.windows.net.evil.com does not match the allowed SQL host patterns (*.database.windows.net, sql.contoso.com).',
        },
      ],
    });
  });

  it('reports a disallowed workspace and a disallowed host together', () => {
    const result = checkRequestPolicy(
      upsert({ workspace: 'https://adb-999.9.azuredatabricks.net', host: 'evil.com' }),
      settings,
    );
    expect(!result.ok && result.reasons.map((reason) => reason.code)).toEqual([
      'WORKSPACE_NOT_ALLOWED',
      'HOST_NOT_ALLOWED',
    ]);
  });

  it('checks only the workspace of a delete (it names no host)', () => {
    const remove: ConnectionRequest = { action: 'delete', connection: { name: 'sales' } };
    expect(checkRequestPolicy(remove, settings)).toEqual({ ok: true, workspace: allowed });
  });
});

describe('policy of a request that failed validation', () => {
  it('still reports a disallowed workspace and host, so every reason arrives at once', () => {
    const body = {
      action: 'upsert',
      workspace: 'https://adb-999.9.azuredatabricks.net',
      connection: { host: 'evil.com' },
    };
    expect(policyReasonsForInvalidRequest(body, settings).map((reason) => reason.code)).toEqual([
      'WORKSPACE_NOT_ALLOWED',
      'HOST_NOT_ALLOWED',
    ]);
  });

  it('skips fields that are malformed (validation already reports them) and hosts of non-upserts', () => {
    expect(
      policyReasonsForInvalidRequest(
        { action: 'upsert', workspace: 'http://x', connection: { host: 'https://evil.com' } },
        settings,
      ),
    ).toEqual([]);
    expect(
      policyReasonsForInvalidRequest({ action: 'delete', connection: { host: 'evil.com' } }, settings),
    ).toEqual([]);
    expect(policyReasonsForInvalidRequest([1, 2], settings)).toEqual([]);
    expect(policyReasonsForInvalidRequest(null, settings)).toEqual([]);
  });

  it('reports a missing workspace only when there is no default', () => {
    expect(policyReasonsForInvalidRequest({ action: 'upsert' }, settings)).toEqual([]);
    expect(
      policyReasonsForInvalidRequest(
        { action: 'upsert' },
        { ...settings, workspaces: { allowed: [allowed] } },
      ),
    ).toEqual([expect.objectContaining({ code: 'WORKSPACE_NOT_ALLOWED', path: 'workspace' })]);
  });
});
