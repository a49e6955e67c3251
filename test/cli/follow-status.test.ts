import { describe, expect, it } from 'vitest';
import { followStatus } from '../../cli/status/follow-status.js';
import { StatusEndpointError } from '../../cli/status/status-client.js';
import type { RequestStatus, RequestStatusView } from '../../src/request-status.js';

function view(status: RequestStatus): RequestStatusView {
  const at = new Date().toISOString();
  return { requestId: 'r', status, reasons: [], createdAt: at, updatedAt: at, history: [{ status, at }] };
}

/** A status endpoint that answers from a script, one entry per poll; the last entry repeats. */
function scripted(answers: Array<RequestStatus | undefined | Error>) {
  let polls = 0;
  return {
    polls: () => polls,
    async fetchStatus(): Promise<RequestStatusView | undefined> {
      const answer = answers[Math.min(polls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer && view(answer);
    },
  };
}

const fast = { initial: 1, max: 5 };

describe('followStatus', () => {
  it('reports each change once and stops at the first final status', async () => {
    const endpoint = scripted([undefined, undefined, 'in_progress', 'in_progress', 'succeeded']);
    const seen: Array<string | undefined> = [];

    const result = await followStatus({
      requestId: 'r',
      timeoutInMs: 5_000,
      stopAtSignIn: false,
      fetchStatus: endpoint.fetchStatus,
      onChange: (current) => void seen.push(current?.status),
      onTransientError: () => undefined,
      pollIntervalInMs: fast,
    });

    expect(result).toMatchObject({ timedOut: false, view: { status: 'succeeded' } });
    expect(seen).toEqual([undefined, 'in_progress', 'succeeded']);
    expect(endpoint.polls()).toBe(5);
  });

  it('waits through an outage of the endpoint once it has answered, and says so', async () => {
    const outage = new StatusEndpointError('HTTP 503', true);
    const endpoint = scripted(['in_progress', outage, outage, 'failed']);
    const outages: string[] = [];

    const result = await followStatus({
      requestId: 'r',
      timeoutInMs: 5_000,
      stopAtSignIn: false,
      fetchStatus: endpoint.fetchStatus,
      onChange: () => undefined,
      onTransientError: (error) => void outages.push(error.message),
      pollIntervalInMs: fast,
    });

    expect(result.view?.status).toBe('failed');
    expect(outages).toEqual(['HTTP 503', 'HTTP 503']);
  });

  it('fails at once when the endpoint never answered: that is a wrong address, not an outage', async () => {
    const endpoint = scripted([new StatusEndpointError('connection refused', true)]);

    await expect(
      followStatus({
        requestId: 'r',
        timeoutInMs: 5_000,
        stopAtSignIn: false,
        fetchStatus: endpoint.fetchStatus,
        onChange: () => undefined,
        onTransientError: () => undefined,
        pollIntervalInMs: fast,
      }),
    ).rejects.toThrow('connection refused');
    expect(endpoint.polls()).toBe(1);
  });

  it('keeps waiting through awaiting_sign_in unless told to stop there', async () => {
    const options = {
      requestId: 'r',
      timeoutInMs: 50,
      fetchStatus: scripted(['awaiting_sign_in']).fetchStatus,
      onChange: () => undefined,
      onTransientError: () => undefined,
      pollIntervalInMs: fast,
    };

    await expect(followStatus({ ...options, stopAtSignIn: false })).resolves.toMatchObject({
      timedOut: true,
      view: { status: 'awaiting_sign_in' },
    });
    await expect(followStatus({ ...options, stopAtSignIn: true })).resolves.toMatchObject({
      timedOut: false,
      view: { status: 'awaiting_sign_in' },
    });
  });
});
