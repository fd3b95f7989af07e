import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';

const keySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) }));
const tableResourceSchema = z.object({
  Type: z.literal('AWS::DynamoDB::Table'),
  Properties: z.object({
    KeySchema: keySchema,
    AttributeDefinitions: z.array(
      z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }),
    ),
    BillingMode: z.string().optional(),
    GlobalSecondaryIndexes: z
      .array(
        z.object({
          IndexName: z.string(),
          KeySchema: keySchema,
          Projection: z.object({
            ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
            NonKeyAttributes: z.array(z.string()).optional(),
          }),
        }),
      )
      .optional(),
    TimeToLiveSpecification: z.object({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
    StreamSpecification: z
      .object({ StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']) })
      .optional(),
  }),
});

/** A table as the stack deploys it, reduced to what DynamoDB Local needs to create it. */
export interface LocalTableDefinition {
  /** The table's logical id in the template. */
  readonly logicalId: string;
  readonly create: Omit<CreateTableCommandInput, 'TableName'>;
  readonly timeToLiveAttribute?: string;
}

/**
 * Reads every DynamoDB table of a synthesized CloudFormation template, so local tables have exactly
 * the keys, indexes and TTL of the deployed ones.
 */
export function tablesFromTemplate(template: unknown): LocalTableDefinition[] {
  const resources = z.object({ Resources: z.record(z.string(), z.unknown()) }).parse(template).Resources;
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    const table = tableResourceSchema.safeParse(resource);
    if (!table.success) return [];
    const p = table.data.Properties;
    if (p.BillingMode !== 'PAY_PER_REQUEST') {
      throw new Error(`Table ${logicalId} is not on-demand; local tables are created on demand only`);
    }
    return [
      {
        logicalId,
        create: {
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
          StreamSpecification:
            p.StreamSpecification === undefined
              ? undefined
              : { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType },
        },
        timeToLiveAttribute: p.TimeToLiveSpecification?.Enabled
          ? p.TimeToLiveSpecification.AttributeName
          : undefined,
      },
    ];
  });
}

/** Creates a table from its definition under `tableName`, with its TTL, and waits until it is active. */
export async function createLocalTable(
  client: DynamoDBClient,
  definition: LocalTableDefinition,
  tableName: string,
): Promise<void> {
  await client.send(new CreateTableCommand({ ...definition.create, TableName: tableName }));
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 },
    { TableName: tableName },
  );
  if (definition.timeToLiveAttribute !== undefined) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}
