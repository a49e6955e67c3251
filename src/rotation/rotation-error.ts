import type { RotationProblemCode } from './rotation-record.js';

/**
 * A rotation step failed in a way the record must explain: `needsOperator` problems (a missing permission, a
 * tenant policy) wait for a person; the others clear on a later run. The message says exactly what to grant or
 * change and never contains a secret.
 */
export class RotationError extends Error {
  override readonly name = 'RotationError';
  readonly code: RotationProblemCode;
  readonly needsOperator: boolean;

  constructor(
    code: RotationProblemCode,
    message: string,
    options: { needsOperator: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.needsOperator = options.needsOperator;
  }
}
