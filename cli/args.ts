/**
 * A small argument parser for the fluxhelm CLI: positional arguments plus
 * `--flag`, `--key value` and `--key=value` options, some repeatable. Unknown
 * options are a usage error (exit 2), never silently ignored.
 */
export interface OptionSpec {
  /** Takes a value (`--format json`); otherwise a boolean switch. */
  value?: boolean;
  repeat?: boolean;
}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const out: ParsedArgs = { positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && !a.startsWith('--') && a !== '-') throw new UsageError(`unknown option ${a}`);
    if (!a.startsWith('--') || a === '-') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (!s.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const list = out.options.get(name) ?? [];
    if (list.length && !s.repeat) throw new UsageError(`--${name} given more than once`);
    list.push(value);
    out.options.set(name, list);
  }
  return out;
}

export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of: ${allowed.join(', ')}`);
}
