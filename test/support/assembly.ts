import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { STACK_NAME } from '../../lib/app';
import { createLocalTable, tablesFromTemplate } from '../../local/tables';

/** The cloud assembly global-setup synthesized for this run. */
export function assemblyDir(): string {
  const dir = process.env.PIPELINE_TEST_ASSEMBLY;
  if (dir === undefined) throw new Error('PIPELINE_TEST_ASSEMBLY is not set: run the tests through jest');
  return dir;
}

/** The synthesized template of the pipeline stack. */
export function stackTemplate(): unknown {
  return JSON.parse(readFileSync(join(assemblyDir(), `${STACK_NAME}.template.json`), 'utf8'));
}

/** A DynamoDB client for DynamoDB Local, configured only through the environment, as Lambda code is. */
export function localDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({});
}

/**
 * Creates a fresh conversation table in DynamoDB Local from the table definition in the synthesized
 * template, under a unique name, so each test file has its own data.
 */
export async function createConversationTable(client: DynamoDBClient): Promise<string> {
  const [definition, ...others] = tablesFromTemplate(stackTemplate());
  if (definition === undefined || others.length > 0) {
    throw new Error('expected exactly one table in the stack');
  }
  const tableName = `conversations-${randomUUID()}`;
  await createLocalTable(client, definition, tableName);
  return tableName;
}

const functionSchema = z.object({
  Type: z.literal('AWS::Lambda::Function'),
  Metadata: z.object({ 'aws:cdk:path': z.string(), 'aws:asset:path': z.string() }),
  Properties: z.object({
    Handler: z.string(),
    Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).optional(),
  }),
});

/** A function as the stack ships it: its bundle, handler export and literal environment. */
export interface ShippedFunction {
  /** Absolute path of the bundle's entry file (`index.js`). */
  readonly bundlePath: string;
  /** Name of the exported handler. */
  readonly exportName: string;
  /** Environment variables with literal values (references such as the table name are left out). */
  readonly environment: Readonly<Record<string, string>>;
}

/** Finds the function whose construct path contains `pathFragment` in the synthesized assembly. */
export function shippedFunction(pathFragment: string): ShippedFunction {
  const resources = z
    .object({ Resources: z.record(z.string(), z.unknown()) })
    .parse(stackTemplate()).Resources;
  const matches = Object.values(resources).flatMap((resource) => {
    const fn = functionSchema.safeParse(resource);
    return fn.success && fn.data.Metadata['aws:cdk:path'].includes(pathFragment) ? [fn.data] : [];
  });
  const [fn] = matches;
  if (fn === undefined || matches.length > 1) throw new Error(`expected one function at ${pathFragment}`);
  const [file, exportName] = fn.Properties.Handler.split('.');
  if (file === undefined || exportName === undefined) throw new Error(`bad handler ${fn.Properties.Handler}`);
  const environment = Object.fromEntries(
    Object.entries(fn.Properties.Environment?.Variables ?? {}).flatMap(([k, v]) =>
      typeof v === 'string' ? [[k, v]] : [],
    ),
  );
  return {
    bundlePath: join(assemblyDir(), fn.Metadata['aws:asset:path'], `${file}.js`),
    exportName,
    environment,
  };
}
