/**
 * `npm run inspect`: prints conversations, messages and status histories from a conversation table.
 * The logic is in ops/inspect.ts.
 */
import { inspect } from '../ops/inspect';

inspect(process.argv.slice(2), { print: (text) => console.log(text) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  },
);
