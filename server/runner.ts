/**
 * The one runner every LSP handler goes through, sync or async:
 * - parameters are checked first (wrong shapes answer InvalidParams);
 * - a cancelled request answers RequestCancelled, before the work and after
 *   it settles;
 * - an answer the engine refused (`{ refused, error }`, e.g. an untrusted
 *   workspace) becomes a ResponseError with that message;
 * - an exception or a rejected promise is logged once, with one formatter,
 *   and answered with the handler's empty result, so one bad document can
 *   never take the server down;
 * - hooks registered with `beforeRequests` run before every request's work
 *   and may answer for it by throwing a ResponseError (the document store
 *   answers ContentModified about a huge document still being checked).
 */
import {
  ResponseError,
  LSPErrorCodes,
  ErrorCodes,
  type CancellationToken,
  type Connection,
} from 'vscode-languageserver/node';
import { isRefused, type Refused } from '../engine/index.ts';
import type { Message } from './protocol.ts';

export function formatError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Returns a reason when params do not have the expected shape. */
export type ParamsCheck = (params: unknown) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPos = (v: unknown) =>
  isObj(v) &&
  Number.isInteger(v.line) &&
  Number.isInteger(v.character) &&
  (v.line as number) >= 0 &&
  (v.character as number) >= 0;
const isRange = (v: unknown) => isObj(v) && isPos(v.start) && isPos(v.end);

/** Checks: `{ textDocument: { uri } }`, plus what `more` checks. */
export const textDocument =
  (more?: (p: Record<string, unknown>) => string | undefined): ParamsCheck =>
  (p) => {
    if (!isObj(p) || !isObj(p.textDocument) || typeof p.textDocument.uri !== 'string')
      return 'textDocument.uri must be a string';
    return more?.(p);
  };
export const withPosition = textDocument((p) =>
  isPos(p.position) ? undefined : 'position must be {line, character} with non-negative integers',
);
export const withRange = textDocument((p) => (isRange(p.range) ? undefined : 'range must be {start, end} positions'));
/** `{ uri, position? }` (fluxhelm's own requests). */
export const uriTarget: ParamsCheck = (p) => {
  if (!isObj(p) || typeof p.uri !== 'string') return 'uri must be a string';
  if (p.position !== undefined && !isPos(p.position))
    return 'position must be {line, character} with non-negative integers';
  return undefined;
};
export const anyParams: ParamsCheck = () => undefined;

export interface Runner {
  /** Registers a handler for one of fluxhelm's own typed messages (server/protocol.ts) through the runner. */
  handle<P, R>(
    message: Message<P, R>,
    fallback: R | null,
    check: ParamsCheck,
    fn: (params: P, token: CancellationToken) => R | Refused | Promise<R | Refused>,
  ): void;
  /** Wraps a request handler. */
  request<P, R, F = R>(
    name: string,
    fallback: F,
    check: ParamsCheck,
    fn: (params: P, token: CancellationToken) => R | Promise<R>,
  ): (params: P, token: CancellationToken) => Promise<Exclude<R, Refused> | F | ResponseError<void>>;
  /** Wraps a notification handler (errors logged, never thrown). */
  notification<P>(name: string, fn: (params: P) => void | Promise<void>): (params: P) => void;
  /** Logs a failure of background work once, in the same format. */
  logError(name: string, err: unknown): void;
  /** Runs `fn` before the work of every request (after its params are checked); a ResponseError it throws is the answer. */
  beforeRequests(fn: (name: string, params: unknown) => void): void;
}

export function createRunner(connection: Connection): Runner {
  const logError = (name: string, err: unknown) => connection.console.error(`${name} failed: ${formatError(err)}`);
  const before: ((name: string, params: unknown) => void)[] = [];
  const runner: Runner = {
    logError,
    beforeRequests(fn) {
      before.push(fn);
    },
    handle(message, fallback, check, fn) {
      const name = message.method.replace(/^fluxhelm\//, '');
      connection.onRequest(
        message.method,
        runner.request(name, fallback, check, fn) as (p: unknown, t: CancellationToken) => Promise<unknown>,
      );
    },
    request(name, fallback, check, fn) {
      return async (params, token) => {
        const problem = check(params);
        if (problem) return new ResponseError(ErrorCodes.InvalidParams, `fluxhelm ${name}: ${problem}`);
        if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
        try {
          for (const b of before) b(name, params);
          const result = await fn(params, token);
          if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
          if (isRefused(result))
            return new ResponseError(
              result.invalid ? ErrorCodes.InvalidParams : ErrorCodes.InvalidRequest,
              result.error,
            );
          return result as Exclude<typeof result, Refused>;
        } catch (err) {
          if (err instanceof ResponseError) return err as ResponseError<void>;
          logError(name, err);
          return fallback;
        }
      };
    },
    notification(name, fn) {
      return (params) => {
        try {
          const r = fn(params);
          if (r instanceof Promise) r.catch((err) => logError(name, err));
        } catch (err) {
          logError(name, err);
        }
      };
    },
  };
  return runner;
}
