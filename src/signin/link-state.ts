import type { SignInProblemCode } from './sign-in-problem.js';
import type { CurrentLink, SignInLink } from './sign-in-store.js';

/**
 * Whether an emailed link may still start a sign-in (R2): not used, not replaced by a newer link for the
 * same connection, not expired. Checked in this order, so the page names what happened first.
 */
export function linkProblem(
  link: SignInLink,
  current: Pick<CurrentLink, 'linkHash'> | undefined,
  now: number,
): SignInProblemCode | undefined {
  if (link.consumedAt) return 'LINK_USED';
  if (current?.linkHash !== link.tokenHash) return 'LINK_SUPERSEDED';
  if (link.expiresAt.getTime() <= now) return 'LINK_EXPIRED';
  return undefined;
}
