/** The fluxhelm version the CLI prints (`--version`, the help overview, SARIF). Kept apart so the help needs no command code. */
export const VERSION = '0.1.0';
