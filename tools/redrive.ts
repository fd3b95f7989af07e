/** `npm run redrive`: redrives the failure queues into the processor. The logic is in ops/redrive.ts. */
import { runCli } from '../ops/cli';
import { REDRIVE_USAGE, redriveCommand } from '../ops/redrive';

runCli(process.argv.slice(2), REDRIVE_USAGE, (argv) =>
  redriveCommand(argv, (line) => console.log(line)),
).then((code) => {
  process.exitCode = code;
});
