/** All human-facing messages go to stderr, redacted. stdout is reserved for the product. */
import { redact } from './redact.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  verbose(msg: string): void;
  readonly isVerbose: boolean;
  /** Hook for the spinner, so log lines do not tear it. */
  setInterceptor(fn: ((line: string) => void) | undefined): void;
}

export function createLogger(opts: { verbose: boolean; quiet: boolean; stream?: NodeJS.WritableStream }): Logger {
  let intercept: ((line: string) => void) | undefined;
  const write = (line: string) => {
    const clean = redact(line);
    if (intercept) intercept(clean);
    // process.stderr is made on first use: a run that says nothing (digest --help) never builds it
    else (opts.stream ?? process.stderr).write(`${clean}\n`);
  };
  return {
    info: (m) => {
      if (!opts.quiet) write(m);
    },
    warn: (m) => write(`warning: ${m}`),
    error: (m) => write(`error: ${m}`),
    verbose: (m) => {
      if (opts.verbose) write(`· ${m}`);
    },
    isVerbose: opts.verbose,
    setInterceptor: (fn) => {
      intercept = fn;
    },
  };
}
