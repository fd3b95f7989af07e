/**
 * `npm run inspect`: prints conversations, messages and status histories from a conversation table.
 * The logic is in ops/inspect.ts.
 */
import { runCli } from '../ops/cli';
import { INSPECT_USAGE, inspect } from '../ops/inspect';

runCli(process.argv.slice(2), INSPECT_USAGE, (argv) =>
  inspect(argv, { print: (text) => console.log(text) }),
).then((code) => {
  process.exitCode = code;
});
