/** Typed errors. Commands throw these; only cli.ts turns them into exit codes. */

export type ErrorCode =
  | 'usage'
  | 'config'
  | 'bad-id'
  | 'template'
  | 'arxiv'
  /** A host that is plainly not there (refused, no such name): not retried again in this run. */
  | 'unreachable'
  | 'not-found'
  | 'llm'
  | 'context'
  | 'output'
  | 'interrupted';

export class DigestError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  /** Retrying anything in this run is pointless (bad key, no balance): stop the batch. */
  readonly fatal: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; cause?: unknown; exitCode?: number; fatal?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DigestError';
    this.code = code;
    this.hint = opts.hint;
    this.fatal = opts.fatal ?? false;
    this.exitCode = opts.exitCode ?? defaultExit(code);
  }
}

function defaultExit(code: ErrorCode): number {
  switch (code) {
    case 'usage':
    case 'config':
    case 'bad-id':
    case 'template':
      return 2;
    case 'interrupted':
      return 130;
    default:
      return 1;
  }
}

export const usageError = (message: string, hint?: string) =>
  new DigestError('usage', message, hint === undefined ? {} : { hint });

export const configError = (message: string, hint?: string) =>
  new DigestError('config', message, hint === undefined ? {} : { hint });

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'APIUserAbortError');
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
