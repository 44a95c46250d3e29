/**
 * Wraps every request handler once: an exception in a feature is logged and
 * answered with an empty result, and a cancelled request answers
 * RequestCancelled, so one bad document can never take the server down.
 */
import { ResponseError, LSPErrorCodes, type CancellationToken, type Connection } from 'vscode-languageserver/node';

export function guard<P, R>(connection: Connection, name: string, fallback: R, fn: (params: P, token: CancellationToken) => R): (params: P, token: CancellationToken) => R | ResponseError<void> {
  return (params, token) => {
    if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    try {
      return fn(params, token);
    } catch (err) {
      connection.console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return fallback;
    }
  };
}

export function guardVoid<P>(connection: Connection, name: string, fn: (params: P) => void): (params: P) => void {
  return (params) => {
    try {
      fn(params);
    } catch (err) {
      connection.console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  };
}
