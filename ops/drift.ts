/**
 * `npm run drift`: the shapes Meta sent that the pipeline does not know yet, each once, and a
 * fixture to fill in for one of them, so adding it starts from what actually arrived.
 *
 *   npm run drift -- --table <name> [--endpoint <url>]
 *   npm run drift -- --table <name> --write <n> --out <file.json>
 */
import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readContractDrift } from '../lambda/adapters/drift-store';
import type { ContractDriftItem } from '../lambda/adapters/items';
import { numberFlag, parseFlags, UsageError } from './cli';
import { endpointClientConfig } from './endpoint';

export const DRIFT_USAGE =
  'usage: npm run drift -- --table <name> [--endpoint <url>] [--write <n> --out <file.json>]';

/** Lists the drifted shapes, or writes the n-th (as listed, from 1) out as a fixture; returns the exit code. */
export async function drift(
  argv: readonly string[],
  deps: {
    client?: DynamoDBClient;
    print: (text: string) => void;
    write?: (path: string, text: string) => void;
  },
): Promise<number> {
  const { values } = parseFlags(argv, {
    table: { type: 'string' },
    endpoint: { type: 'string' },
    write: { type: 'string' },
    out: { type: 'string' },
  });
  if (values.table === undefined) throw new UsageError('--table <name> is required');
  if (values.write !== undefined && values.out === undefined) {
    throw new UsageError('--write <n> needs --out <file.json>: where the fixture goes');
  }
  const index = numberFlag('write', values.write, { min: 1, max: 10_000, integer: true });
  const client =
    deps.client ??
    new DynamoDBClient(values.endpoint === undefined ? {} : endpointClientConfig(values.endpoint));
  const shapes = await readContractDrift(client, values.table);
  if (index === undefined) {
    deps.print(
      shapes.length === 0
        ? 'No drift: every shape Meta sent is one this pipeline knows.'
        : shapes
            .map(
              (s, i) =>
                `${String(i + 1).padStart(3)}  ${s.kind.padEnd(13)} ${s.name}  first ${s.firstSeenAt}  ${s.shape}`,
            )
            .join('\n'),
    );
    return 0;
  }
  const shape = shapes[index - 1];
  if (shape === undefined) {
    deps.print(`No shape ${index}: there are ${shapes.length}.`);
    return 1;
  }
  const out = values.out ?? '';
  (deps.write ?? writeFileSync)(out, `${JSON.stringify(fixtureOf(shape), null, 2)}\n`);
  deps.print(
    `Wrote ${out}: replace every type name with a value from Meta's documentation, then add it to the registry.`,
  );
  return 0;
}

/** A fixture in the format of test/fixtures/envelopes, with the skeleton where the shape arrived. */
export function fixtureOf(shape: ContractDriftItem): Record<string, unknown> {
  const skeleton: unknown = JSON.parse(shape.shape);
  const metadata = { display_phone_number: 'string', phone_number_id: 'string' };
  const change = (() => {
    switch (shape.kind) {
      case 'field':
      case 'health-event':
      case 'call-event':
        return {
          field: shape.kind === 'field' ? shape.name : (shape.name.split(':')[0] ?? shape.name),
          value: skeleton,
        };
      case 'message-type':
        return {
          field: 'messages',
          value: { messaging_product: 'whatsapp', metadata, messages: [skeleton] },
        };
      case 'status':
        return {
          field: 'messages',
          value: { messaging_product: 'whatsapp', metadata, statuses: [skeleton] },
        };
    }
  })();
  return {
    description: `TO FILL IN: ${shape.kind} "${shape.name}", first seen ${shape.firstSeenAt}. Every value is its type's name; write real values from Meta's documentation and say which are documented and which inferred.`,
    entryEncoding: 'string',
    envelope: {
      context: { MetaWabaIds: [], MetaPhoneNumberIds: [] },
      whatsAppWebhookEntry: { id: shape.wabaId ?? 'string', changes: [change] },
    },
  };
}
