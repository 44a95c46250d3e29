/**
 * The CLI's shared `--timeout` option: `10s`, `1m`, `500ms` or a number of
 * seconds.
 */
import { UsageError } from './args.ts';

export function parseTimeout(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--timeout takes a duration such as 10s or 2m, not '${text}'`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}
