/** Executable entry of dist/cli.js. */
import { main } from './main.ts';

void main(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
).then((code) => {
  // Set the exit code rather than exiting, so large output to a pipe drains first.
  if (code !== 'running') process.exitCode = code;
});
