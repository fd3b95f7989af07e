/**
 * Writes the JSON Schemas of the conversation events into docs/events/ (`npm run events:schemas`).
 * Run it after changing events/schemas.ts; a test fails until the committed files match.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventJsonSchemas } from '../events/json-schema';

const dir = join(__dirname, '..', 'docs', 'events');
mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(eventJsonSchemas())) {
  writeFileSync(join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote docs/events/${file}`);
}
