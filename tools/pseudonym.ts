/** `npm run pseudonym`: the log pseudonym of a wamid or phone number. The logic is in ops/pseudonym.ts. */
import { runCli } from '../ops/cli';
import { PSEUDONYM_USAGE, pseudonym } from '../ops/pseudonym';

runCli(process.argv.slice(2), PSEUDONYM_USAGE, (argv) =>
  pseudonym(argv, { print: (text) => console.log(text) }),
).then((code) => {
  process.exitCode = code;
});
