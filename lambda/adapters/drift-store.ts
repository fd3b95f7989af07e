import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CONTRACT_DRIFT_PARTITION, CONVERSATION_TABLE, ENTITY } from '../../contracts';
import type { DriftSample } from '../domain/drift';
import { type ContractDriftItem, fromItem, toItem } from './items';
import { queryAll } from './query';

/** Options of a {@link DriftStore}. */
export interface DriftStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a shape is kept after it was first seen (its TTL). */
  readonly retentionDays: number;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** Where a drifted shape was seen. */
export interface DriftSource {
  readonly wabaId?: string;
  readonly snsMessageId: string;
}

/**
 * The shapes Meta sent that this code does not know yet, each stored once: the first write of a
 * shape creates its item (and, through the stream, `Contract Drift Detected`); every later one is
 * a conditional put that writes nothing.
 */
export class DriftStore {
  private readonly clock: () => Date;

  constructor(private readonly options: DriftStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Records a shape; `new` the first time it is seen, `known` after. */
  async record(sample: DriftSample, source: DriftSource): Promise<'new' | 'known'> {
    const now = this.clock();
    const shape = JSON.stringify(sample.shape);
    const item: ContractDriftItem = {
      entity: ENTITY.contractDrift,
      kind: sample.kind,
      name: sample.name,
      shapeDigest: createHash('sha256').update(shape).digest('hex').slice(0, 16),
      shape,
      firstSeenAt: now.toISOString(),
      wabaId: source.wabaId,
      snsMessageId: source.snsMessageId,
      expiresAt: Math.floor(now.getTime() / 1000) + this.options.retentionDays * 86_400,
    };
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: toItem(item),
          ConditionExpression: `attribute_not_exists(${CONVERSATION_TABLE.partitionKey})`,
        }),
      );
      return 'new';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'known';
      throw error;
    }
  }
}

/** Every drifted shape of a table, oldest first. */
export async function readContractDrift(
  client: DynamoDBClient,
  tableName: string,
): Promise<ContractDriftItem[]> {
  const stored = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': CONVERSATION_TABLE.partitionKey },
    ExpressionAttributeValues: marshall({ ':pk': CONTRACT_DRIFT_PARTITION }),
  });
  const items = stored
    .map((raw) => fromItem(raw))
    .filter((item): item is ContractDriftItem => item.entity === ENTITY.contractDrift);
  return items.sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
}
