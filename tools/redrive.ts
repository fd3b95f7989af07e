/** `npm run redrive`: redrives the failure queues into the processor. The logic is in ops/redrive.ts. */
import { main } from '../ops/redrive';

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
