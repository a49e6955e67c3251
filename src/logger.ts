/**
 * Structured logging with one event name and a flat property bag per line. Hosts adapt it to their
 * sink (InvocationContext in Azure Functions, stderr in the CLI). Values go through the secret scrubber.
 */
export interface Logger {
  info(event: string, properties?: LogProperties): void;
  warn(event: string, properties?: LogProperties): void;
  error(event: string, properties?: LogProperties): void;
}

export type LogProperties = Record<string, string | number | boolean | undefined | null>;

export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, line: string) => void;

export function createLogger(sink: LogSink, scrub: (text: string) => string = (text) => text): Logger {
  const write =
    (level: LogLevel) =>
    (event: string, properties: LogProperties = {}) => {
      sink(level, scrub(JSON.stringify({ event, ...properties })));
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
