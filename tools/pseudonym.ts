/** `npm run pseudonym`: the log pseudonym of a wamid or phone number. The logic is in ops/pseudonym.ts. */
import { pseudonym } from '../ops/pseudonym';

pseudonym(process.argv.slice(2), { print: (text) => console.log(text) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  },
);
