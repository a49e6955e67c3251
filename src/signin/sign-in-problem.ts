/**
 * Why a sign-in endpoint refused a request: a closed set of stable codes, each with the HTTP status the
 * browser gets and the page it sees (what happened, what to do). Messages never contain the link token,
 * the state, a cookie value or a code.
 */
export const signInProblems = {
  LINK_MISSING: {
    status: 400,
    title: 'This sign-in link is incomplete',
    explanation:
      'The address has no sign-in token. Open the link from the email again; if your mail program broke it across lines, copy the whole link.',
  },
  LINK_UNKNOWN: {
    status: 404,
    title: 'This sign-in link is not valid',
    explanation:
      'The provisioner does not know this link. Open the most recent email about this connection, or ask the requester to submit the request again.',
  },
  LINK_EXPIRED: {
    status: 410,
    title: 'This sign-in link has expired',
    explanation:
      'Ask the requester for a new link: submit the request again (ucprov submit), or send a "reauthorize" request for an existing connection.',
  },
  LINK_USED: {
    status: 410,
    title: 'This sign-in link was already used',
    explanation:
      'Each link starts one sign-in. If that sign-in did not finish, ask the requester for a new link (ucprov submit again, or a "reauthorize" request).',
  },
  LINK_USED_CONCURRENTLY: {
    status: 409,
    title: 'This sign-in link is being used right now',
    explanation:
      'Another browser window started the sign-in with this link a moment ago. Finish it there, or ask for a new link.',
  },
  LINK_SUPERSEDED: {
    status: 410,
    title: 'A newer request replaced this sign-in link',
    explanation:
      'A newer request for the same connection replaced this link. If it sent another email, use the link in the most recent one.',
  },
  ORIGIN_MISMATCH: {
    status: 403,
    title: 'The sign-in form did not come from this site',
    explanation:
      'For your protection the sign-in only starts from the page this site shows. Open the link from the email again and press the button there.',
  },
  CSRF_MISMATCH: {
    status: 403,
    title: 'The sign-in form has expired',
    explanation:
      'The page was open too long, or cookies are blocked for this site. Open the link from the email again; allow cookies for this site if the problem persists.',
  },
  APPROVER_MISMATCH: {
    status: 403,
    title: 'You are not the approver of this request',
    explanation:
      'This link may only be used by the person it was sent to. Sign out and sign in to this site as the approver named in the email.',
  },
  NOT_CONFIGURED: {
    status: 503,
    title: 'Sign-in is not configured',
    explanation:
      'This provisioner has no PUBLIC_BASE_URL setting, so it cannot run the sign-in. Ask its operator to set it.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'This address cannot be used like that',
    explanation:
      'This address only accepts the requests the sign-in itself makes. Start again from the link in the email.',
  },
  STATE_MISSING: {
    status: 400,
    title: 'The sign-in response is incomplete',
    explanation: 'The response from Microsoft Entra ID had no state. Start again from the link in the email.',
  },
  STATE_UNKNOWN: {
    status: 400,
    title: 'This sign-in response is not valid',
    explanation:
      'The sign-in it belongs to is unknown or already finished (a response can be used once). If your connection is not ready, ask for a new link.',
  },
  COOKIE_MISSING: {
    status: 400,
    title: 'This browser did not start the sign-in',
    explanation:
      'The sign-in must finish in the browser that started it, with cookies allowed for this site. Ask for a new link and open it in one browser.',
  },
  COOKIE_MISMATCH: {
    status: 400,
    title: 'This browser started a different sign-in',
    explanation:
      'The response belongs to another sign-in than the one this browser started. Ask for a new link and finish the sign-in in one window.',
  },
  TRANSACTION_EXPIRED: {
    status: 400,
    title: 'The sign-in took too long',
    explanation:
      'A sign-in must finish within 10 minutes of pressing the button. Ask for a new link and sign in right away.',
  },
  ISSUER_MISMATCH: {
    status: 400,
    title: 'The sign-in was started against a different Entra ID tenant',
    explanation:
      "The tenant or sign-in endpoint recorded when the sign-in started differs from the connection's. Ask for a new link.",
  },
} as const satisfies Record<string, { status: number; title: string; explanation: string }>;

export type SignInProblemCode = keyof typeof signInProblems;

/**
 * A refusal with a stable `code`. `detail` is for logs and statuses (never a secret); `cause` carries
 * the expectation that failed, as oauth4webapi does.
 */
export class SignInProblem extends Error {
  readonly code: SignInProblemCode;

  constructor(code: SignInProblemCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? signInProblems[code].title, options);
    this.name = 'SignInProblem';
    this.code = code;
  }

  get status(): number {
    return signInProblems[this.code].status;
  }
}
