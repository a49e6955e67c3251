import { describe, expect, it } from 'vitest';
import { findSecretValues } from '../../src/request/find-secret-values.js';

// The shape of an Entra client secret (40 characters, "Q~" after a version digit); not a real one.
const entraSecret = 'Xk38Q~gT4bN0pQz7yR2mW9cV1dL6hJ5sA8eF3uI_';

const request = (auth: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  action: 'upsert',
  connection: { name: 'sales', host: 'srv.database.windows.net' },
  auth: {
    flow: 'M2M',
    tenantId: '00000000-0000-0000-0000-000000000000',
    clientId: '00000000-0000-0000-0000-000000000001',
    clientSecretRef: 'sql-app-secret',
    ...auth,
  },
  ...extra,
});

describe('finding secret values in a request', () => {
  it('finds nothing in a request that names its secret by Key Vault reference', () => {
    const body = request();
    expect(findSecretValues(body)).toEqual({ reasons: [], redacted: body });
  });

  it('flags a client secret value sent next to the reference, and removes it', () => {
    const { reasons, redacted } = findSecretValues(request({ clientSecret: 'a-secret-value-123' }));
    expect(reasons).toEqual([
      {
        code: 'SECRET_IN_REQUEST',
        path: 'auth.clientSecret',
        message:
          'auth.clientSecret: requests must not carry secrets; store the secret in Key Vault and name it in auth.clientSecretRef.',
      },
    ]);
    expect(JSON.stringify(redacted)).not.toContain('a-secret-value-123');
  });

  it.each([
    ['connection.password', { connection: { name: 'x', host: 'h.database.windows.net', password: 'p@ss' } }],
    ['password', { password: 'p@ss' }],
    [
      'grants[0].password',
      { grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION'], password: 'p@ss' }] },
    ],
    ['auth.accessToken', { auth: { accessToken: 'eyJ0eXAi' } }],
    ['connection.connectionString', { connection: { connectionString: 'Server=x;Password=p@ss' } }],
    ['credentials', { credentials: { user: 'sa', pwd: 'p@ss' } }],
  ])('flags a credential-named field at %s wherever it appears', (path, extra) => {
    const { reasons, redacted } = findSecretValues({ ...request(), ...extra });
    expect(reasons).toEqual([expect.objectContaining({ code: 'SECRET_IN_REQUEST', path })]);
    expect(JSON.stringify(redacted)).not.toContain('p@ss');
    expect(JSON.stringify(redacted)).not.toContain('eyJ0eXAi');
  });

  it('ignores empty credential-named fields (nothing was leaked)', () => {
    expect(findSecretValues(request({ clientSecret: '' })).reasons).toEqual([]);
    expect(findSecretValues(request({ clientSecret: null })).reasons).toEqual([]);
  });

  it('flags an Entra secret pasted as the Key Vault reference ("~" cannot occur in a secret name)', () => {
    const { reasons, redacted } = findSecretValues(request({ clientSecretRef: entraSecret }));
    expect(reasons).toEqual([
      {
        code: 'SECRET_IN_REQUEST',
        path: 'auth.clientSecretRef',
        message:
          "auth.clientSecretRef: looks like a client secret value; store the secret in Key Vault and put the secret's name here.",
      },
    ]);
    expect(JSON.stringify(redacted)).not.toContain(entraSecret);
  });

  it('keeps a reference that is not a valid secret name out of the stored copy (it may be a secret) without flagging it', () => {
    const pasted = 'gT4b.N0pQz7yR2mW9c_V1dL6hJ5sA8eF3u';
    const { reasons, redacted } = findSecretValues(request({ clientSecretRef: pasted }));
    expect(reasons).toEqual([]);
    expect(redacted).toMatchObject({ auth: { clientSecretRef: '[removed]' } });
  });

  it('finds an Entra secret pasted into any other field, e.g. a comment', () => {
    const { reasons, redacted } = findSecretValues(
      request({}, { connection: { name: 'x', host: 'h', comment: `secret is ${entraSecret} ok` } }),
    );
    expect(reasons).toEqual([
      expect.objectContaining({ code: 'SECRET_IN_REQUEST', path: 'connection.comment' }),
    ]);
    expect(JSON.stringify(redacted)).not.toContain(entraSecret);
  });

  it('does not mistake ordinary text with a tilde for a secret', () => {
    expect(findSecretValues(request({}, { requestedBy: 'team ~ data platform' })).reasons).toEqual([]);
  });

  it('reports every leak at once, in document order', () => {
    const { reasons } = findSecretValues(
      request({ clientSecret: 'one-secret-value', clientSecretRef: entraSecret }, { password: 'p@ss' }),
    );
    expect(reasons.map((reason) => reason.path)).toEqual([
      'auth.clientSecretRef',
      'auth.clientSecret',
      'password',
    ]);
  });

  it('walks arrays and leaves non-object bodies as they are', () => {
    expect(findSecretValues([{ token: 'abc' }]).reasons).toEqual([
      expect.objectContaining({ path: '[0].token' }),
    ]);
    expect(findSecretValues(42)).toEqual({ reasons: [], redacted: 42 });
    expect(findSecretValues(null)).toEqual({ reasons: [], redacted: null });
  });
});
