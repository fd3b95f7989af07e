/**
 * `npm run drift`: the shapes Meta sent that the pipeline does not know yet. The logic is in
 * ops/drift.ts.
 */
import { runCli } from '../ops/cli';
import { DRIFT_USAGE, drift } from '../ops/drift';

runCli(process.argv.slice(2), DRIFT_USAGE, (argv) =>
  drift(argv, { print: (text) => console.log(text) }),
).then((code) => {
  process.exitCode = code;
});
