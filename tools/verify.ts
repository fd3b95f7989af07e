/** `npm run verify`: read-only checks of a deployed pipeline. The logic is in ops/verify.ts. */
import { runCli } from '../ops/cli';
import { VERIFY_USAGE, verifyCommand } from '../ops/verify';

runCli(process.argv.slice(2), VERIFY_USAGE, (argv) => verifyCommand(argv, (line) => console.log(line))).then(
  (code) => {
    process.exitCode = code;
  },
);
