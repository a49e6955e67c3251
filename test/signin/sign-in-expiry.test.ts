import { odata } from '@azure/data-tables';
import { InvocationContext, type Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignInHarness, sha256, startSignInHarness } from './sign-in-harness.js';

/** The `expireSignIns` timer, called through its registered handler with the production wiring. */
describe('expired sign-ins end their requests', () => {
  let h: SignInHarness;
  let expireSignIns: typeof import('../../functions/expire-sign-ins.js').expireSignIns;
  const logs: string[] = [];
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  const sweep = () =>
    expireSignIns(
      timer,
      new InvocationContext({
        functionName: 'expireSignIns',
        logHandler: (_level, ...args) => logs.push(args.join(' ')),
      }),
    );
  const tokenHash = (link: string) => sha256(new URL(link).searchParams.get('t') ?? '');
  const transactionsOf = async (requestId: string) => {
    const rows = [];
    const query = odata`RowKey eq 'transaction' and requestId eq ${requestId}`;
    for await (const row of h.signInTable.listEntities({ queryOptions: { filter: query } })) rows.push(row);
    return rows;
  };

  beforeAll(async () => {
    h = await startSignInHarness();
    ({ expireSignIns } = await import('../../functions/expire-sign-ins.js'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers the sweep every 5 minutes', async () => {
    const { registeredFunctions } = await import('../../functions/shared/define-function.js');
    expect(registeredFunctions.find((definition) => definition.name === 'expireSignIns')).toMatchObject({
      trigger: 'timer',
      options: { schedule: '0 */5 * * * *' },
    });
  });

  it('a link that expires unused fails its request with SIGN_IN_EXPIRED, once; the link still says it expired', async () => {
    const request = h.u2mRequest('expiry_unused');
    expect((await h.submit(request)).status).toBe('awaiting_sign_in');
    const link = await h.linkFor(request.requestId);
    await h.expireLink(link);

    await sweep();

    const status = await h.status(request.requestId);
    expect(status.status).toBe('failed');
    expect(status.reasons).toEqual([
      {
        code: 'SIGN_IN_EXPIRED',
        message: expect.stringMatching(
          /^The sign-in link expired at \S+Z without being used\. Submit the request again \(ucprov submit\)/,
        ),
      },
    ]);
    expect(logs.join('\n')).toContain(`"event":"signin.expired","requestId":"${request.requestId}"`);
    expect(logs.join('\n')).not.toContain(new URL(link).searchParams.get('t'));

    await sweep();
    const after = await h.status(request.requestId);
    expect(after.history.filter((entry) => entry.status === 'failed')).toHaveLength(1);
    expect(after.updatedAt).toBe(status.updatedAt);
    expect((await h.browser().get(link)).status).toBe(410);
  });

  it('a sign-in abandoned at Entra fails its request after 10 minutes and its verifier is deleted; a late callback changes nothing', async () => {
    const request = h.u2mRequest('expiry_abandoned');
    await h.submit(request);
    const browser = h.browser();
    const entra = await browser.signInAtEntra(await browser.start(await h.linkFor(request.requestId)));
    const [transaction] = await transactionsOf(request.requestId);
    await h.signInTable.updateEntity(
      {
        partitionKey: transaction?.partitionKey ?? '',
        rowKey: 'transaction',
        expiresAt: new Date(Date.now() - 1000),
      },
      'Merge',
    );

    await sweep();

    expect(await h.status(request.requestId)).toMatchObject({
      status: 'failed',
      reasons: [
        {
          code: 'SIGN_IN_EXPIRED',
          message: expect.stringContaining('started signing in but did not finish within 10 minutes'),
        },
      ],
    });
    expect(await transactionsOf(request.requestId)).toEqual([]);
    const late = await browser.postCallback(entra.parameters);
    expect(late.status).toBe(400);
    expect(h.cloud.databricks.control.storedConnection('expiry_abandoned')).toBeUndefined();
    expect((await h.status(request.requestId)).status).toBe('failed');
  });

  it('leaves a valid link alone, and the sign-in then succeeds', async () => {
    const request = h.u2mRequest('expiry_valid');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);

    await sweep();

    expect((await h.status(request.requestId)).status).toBe('awaiting_sign_in');
    expect((await h.browser().signInWith(link)).status).toBe(200);
    expect((await h.status(request.requestId)).status).toBe('succeeded');
  });

  it("an expired link replaced by a newer request's link does not touch the newer request", async () => {
    const older = h.u2mRequest('expiry_replaced');
    await h.submit(older);
    const olderLink = await h.linkFor(older.requestId);
    const newer = h.u2mRequest('expiry_replaced');
    await h.submit(newer);
    await h.expireLink(olderLink);

    await sweep();

    expect((await h.status(older.requestId)).status).toBe('superseded');
    expect((await h.status(newer.requestId)).status).toBe('awaiting_sign_in');
  });

  it('an expired link its request no longer uses (its email failed, a redelivery sent another) leaves the request waiting', async () => {
    const request = h.u2mRequest('expiry_orphan');
    await h.submit(request);
    // What a delivery whose SMTP send failed leaves behind: a link row that was never emailed nor made current.
    await h.signInTable.createEntity({
      partitionKey: sha256(`orphan-${request.requestId}`),
      rowKey: 'link',
      requestId: request.requestId,
      createdAt: new Date(Date.now() - 3_600_000),
      expiresAt: new Date(Date.now() - 1000),
      intentJson: '{}',
    });

    await sweep();

    expect((await h.status(request.requestId)).status).toBe('awaiting_sign_in');
    expect((await h.browser().signInWith(await h.linkFor(request.requestId))).status).toBe(200);
  });

  it('deletes expired links a week after they expired, failing a request the sweep had not seen yet', async () => {
    const request = h.u2mRequest('expiry_purged');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    await h.signInTable.updateEntity(
      { partitionKey: tokenHash(link), rowKey: 'link', expiresAt: new Date(Date.now() - 8 * 24 * 3_600_000) },
      'Merge',
    );

    await sweep();

    expect((await h.status(request.requestId)).reasons[0]?.code).toBe('SIGN_IN_EXPIRED');
    await expect(h.signInTable.getEntity(tokenHash(link), 'link')).rejects.toMatchObject({ statusCode: 404 });
    expect((await h.browser().get(link)).status).toBe(404);
  });
});
