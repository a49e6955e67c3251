/**
 * The display name rotation gives every client secret it adds: it marks the credential as ours and names the
 * run, so a credential whose secret text was lost (a crash between addPassword and the Key Vault write) can be
 * recognised and removed later (docs/secret-rotation.md; Graph addPassword returns `secretText` only once).
 */
const markerPrefix = 'ucprov-rotation:';

export function credentialDisplayName(runId: string): string {
  return `${markerPrefix}${runId}`;
}

/** The run id of a credential rotation added, or undefined for anyone else's credential. */
export function rotationRunIdOf(displayName: string | null | undefined): string | undefined {
  if (!displayName?.startsWith(markerPrefix)) return undefined;
  const runId = displayName.slice(markerPrefix.length);
  return runId.length > 0 ? runId : undefined;
}
