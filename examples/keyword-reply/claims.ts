import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';

/** Where a reply stands. `unknown`: it may have been delivered, so it is never sent again. */
export type ReplyState = 'sending' | 'sent' | 'failed' | 'unknown';

/** The stored reply of one message. */
export interface ReplyRecord {
  readonly state: ReplyState;
  readonly at: string;
  readonly messageId?: string;
  readonly errorName?: string;
}

const recordSchema = z.object({
  state: z.enum(['sending', 'sent', 'failed', 'unknown']),
  at: z.string(),
  messageId: z.optional(z.string()),
  errorName: z.optional(z.string()),
});

/** The result of claiming a message's reply. */
export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly existing: ReplyRecord };

/**
 * One item per answered message, keyed by the conversation event's `eventId`, written before the
 * send: whoever creates it is the only one who may send, so a redelivered event never sends twice.
 */
export class ReplyClaims {
  constructor(
    private readonly options: {
      client: DynamoDBClient;
      tableName: string;
      retentionDays: number;
      clock?: () => Date;
    },
  ) {}

  /** Claims the reply of `key` for this invocation, unless a reply was claimed (by anyone) before. */
  async claim(key: string): Promise<ClaimResult> {
    const now = this.now();
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: marshall({
            pk: key,
            state: 'sending',
            at: now.toISOString(),
            expiresAt: this.expiresAt(now),
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || error.Item === undefined) throw error;
      return { claimed: false, existing: recordSchema.parse(unmarshall(error.Item)) };
    }
  }

  /** Records how the send ended. */
  async settle(key: string, outcome: Omit<ReplyRecord, 'at'>): Promise<void> {
    const values = {
      ':state': outcome.state,
      ':at': this.now().toISOString(),
      ':messageId': outcome.messageId,
      ':errorName': outcome.errorName,
    };
    const set = ['#state = :state', '#at = :at'];
    if (outcome.messageId !== undefined) set.push('messageId = :messageId');
    if (outcome.errorName !== undefined) set.push('errorName = :errorName');
    await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: marshall({ pk: key }),
        UpdateExpression: `SET ${set.join(', ')}`,
        ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
        ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
      }),
    );
  }

  /** Gives up a claim whose send surely did not happen (refused before it was applied), so a retry may send. */
  async release(key: string): Promise<void> {
    await this.options.client.send(
      new DeleteItemCommand({
        TableName: this.options.tableName,
        Key: marshall({ pk: key }),
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: marshall({ ':sending': 'sending' }),
      }),
    );
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.options.retentionDays * 86_400;
  }
}
