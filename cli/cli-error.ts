import { type ExitCode, exitCodes } from './exit-codes.js';

/**
 * An error the user can act on: the message says what is wrong and what to do, and `exitCode` tells
 * scripts which kind it is. Messages never contain connection strings, keys or tokens.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }

  static usage(message: string): CliError {
    return new CliError(exitCodes.usage, message);
  }

  static connection(message: string, options?: { cause?: unknown }): CliError {
    return new CliError(exitCodes.connection, message, options);
  }

  static notFound(message: string): CliError {
    return new CliError(exitCodes.notFound, message);
  }
}
