import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeAssembly } from '../../local/assembly';
import { LOCAL_AWS_ENV } from '../../local/aws-env';
import { javaProblem, startDynamoDbLocal } from '../../local/dynamodb-local';

/** Where the test run's cloud assembly (templates and the bundles the stack ships) is written. */
export const TEST_ASSEMBLY_DIR = join(__dirname, '..', '..', '.cache', 'test-assembly');

/**
 * Once per integration run: synthesize the real app (templates and Lambda bundles, as `cdk synth`
 * makes them) and start DynamoDB Local. Workers inherit the environment set here, so the code under
 * test finds DynamoDB Local through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB.
 */
export default async function globalSetup(): Promise<void> {
  const java = javaProblem();
  if (java !== undefined) {
    // One line, after the unit tier has run (npm test runs it first): what to install, not a trace.
    process.stderr.write(`\nThe integration tier needs Java 17 or newer for DynamoDB Local: ${java}\n`);
    process.exit(1);
  }
  Object.assign(process.env, LOCAL_AWS_ENV);
  rmSync(TEST_ASSEMBLY_DIR, { recursive: true, force: true });
  mkdirSync(TEST_ASSEMBLY_DIR, { recursive: true });
  // bin/app.ts in a process of its own, as `cdk synth` runs it; its output is held by the call.
  synthesizeAssembly(TEST_ASSEMBLY_DIR);

  const dynamoDb = await startDynamoDbLocal();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
    PIPELINE_TEST_ASSEMBLY: TEST_ASSEMBLY_DIR,
  });
  (globalThis as { __stopDynamoDbLocal?: () => Promise<void> }).__stopDynamoDbLocal = dynamoDb.stop;
}
