import { SecretScrubber } from '../src/logging/secret-scrubber.js';

/**
 * Every secret the CLI was given (connection string keys, function keys). Output goes through
 * `cliSecrets.scrub`: defence in depth, since no message is built from these values in the first place.
 */
export const cliSecrets = new SecretScrubber();

/** Remembers a connection string and the key or signature inside it. */
export function rememberConnectionString(connectionString: string): void {
  cliSecrets.remember(connectionString);
  for (const match of connectionString.matchAll(/(?:SharedAccessKey|SharedAccessSignature)=([^;]+)/gi)) {
    if (match[1]) cliSecrets.remember(match[1]);
  }
}
