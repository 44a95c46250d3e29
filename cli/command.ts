/**
 * The CLI's command table entry: a name, a one-line summary for `fluxhelm
 * help`, the usage text (`--help`/`-h` prints it and exits 0), the options it
 * accepts, and the function that runs it. main.ts dispatches through the
 * table; a usage problem (unknown option, invalid value) prints the
 * command's usage and exits 2.
 */
import type { OptionSpec } from './args.ts';

export type Out = (s: string) => void;

export interface Command {
  name: string;
  /**
   * Unused: the help overview shows the summary in cli/main.ts's table (so it
   * loads no command code); change it there.
   */
  summary?: string;
  usage: string;
  options: Record<string, OptionSpec>;
  run(argv: string[], out: Out, err: Out): number | Promise<number>;
}

/** Options every command that reads a workspace takes. */
export const CLUSTER_OPTIONS = {
  context: { value: true },
  kubeconfig: { value: true },
  namespace: { value: true },
} as const;
