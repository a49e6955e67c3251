/**
 * Remembers every secret value the process has handled and blanks it out of any text on its way to a
 * log, a status or an error. Defence in depth: code should not log secrets in the first place.
 */
export class SecretScrubber {
  readonly #values = new Set<string>();

  /** Values shorter than 8 characters would blank out ordinary words, so they are not tracked. */
  remember(value: string): void {
    if (value.length >= 8) this.#values.add(value);
  }

  scrub = (text: string): string => {
    let result = text;
    for (const value of this.#values) {
      if (result.includes(value)) result = result.split(value).join('[redacted]');
    }
    return result;
  };
}
