import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudAssembly, type ShippedFunction } from '../../local/assembly';
import { createLocalTable } from '../../local/tables';

/** The cloud assembly global-setup synthesized for this run. */
export function testAssembly(): CloudAssembly {
  const dir = process.env.PIPELINE_TEST_ASSEMBLY;
  if (dir === undefined) throw new Error('PIPELINE_TEST_ASSEMBLY is not set: run the tests through jest');
  return new CloudAssembly(dir);
}

/** A DynamoDB client for DynamoDB Local, configured only through the environment, as Lambda code is. */
export function localDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({});
}

/**
 * Creates a fresh conversation table in DynamoDB Local from the table definition in the synthesized
 * template, under a unique name, so each test has its own data.
 */
export async function createConversationTable(client: DynamoDBClient): Promise<string> {
  const tableName = `conversations-${randomUUID()}`;
  await createLocalTable(client, testAssembly().table(), tableName);
  return tableName;
}

/** Finds the function whose construct path contains `pathFragment` in the synthesized assembly. */
export function shippedFunction(pathFragment: string): ShippedFunction {
  return testAssembly().function(pathFragment);
}
