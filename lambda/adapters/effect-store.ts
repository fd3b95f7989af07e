import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ENTITY, sideEffectKey } from '../../contracts';
import type {
  ClaimAnswer,
  EffectClaim,
  EffectLedger,
  EffectRecord,
  SettledEffect,
} from '../shared/exactly-once';
import { effectRecordSchema, type SideEffectItem } from './items/effect';

/** Which effect: what it belongs to (a message's partition) and its name there. */
export interface EffectKey {
  readonly scope: string;
  readonly effect: string;
}

/** Options of an {@link EffectStore}. */
export interface EffectStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a record is kept after its last write (the item's TTL). */
  readonly retentionDays: number;
  /**
   * The table's key: `pk` and `sk` (the conversation table: an effect beside the message it
   * answers), or `pk` alone (a table of the effects only, such as the keyword example's).
   * @default 'pk-sk'
   */
  readonly keySchema?: 'pk-sk' | 'pk';
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** An error in the store that is not a lost condition: the item does not have the effect shape. */
export class EffectItemError extends Error {
  public override readonly name = 'EffectItemError';
}

/**
 * The {@link EffectLedger} in DynamoDB: one item per effect, every write conditional, no reads (a
 * lost condition returns the stored item).
 */
export class EffectStore implements EffectLedger<EffectKey> {
  private readonly clock: () => Date;

  constructor(private readonly options: EffectStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async claim(key: EffectKey, claim: EffectClaim, nowMs: number, takeOver: boolean): Promise<ClaimAnswer> {
    const record: EffectRecord = { state: 'in-progress', at: this.clock().toISOString(), ...claim };
    const takeOverCondition =
      ' OR (#record.#state = :inProgress AND (#record.#owner = :owner OR #record.#expires < :now))';
    const { entity, scope, effect, expiresAt } = this.item(key, record);
    try {
      // An update, which creates the item when it is new: the pipeline's writers may update, not put.
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: marshall(this.keyOf(key)),
          UpdateExpression:
            'SET entity = :entity, #scope = :scope, effect = :effect, #record = :record, expiresAt = :expiresAt',
          ConditionExpression: `attribute_not_exists(#record) OR #record.#token = :token${takeOver ? takeOverCondition : ''}`,
          ExpressionAttributeNames: {
            '#record': 'record',
            '#token': 'token',
            '#scope': 'scope',
            ...(takeOver ? { '#state': 'state', '#owner': 'owner', '#expires': 'expiresAtMs' } : {}),
          },
          ExpressionAttributeValues: marshall(
            {
              ':entity': entity,
              ':scope': scope,
              ':effect': effect,
              ':record': record,
              ':expiresAt': expiresAt,
              ':token': claim.token,
              ...(takeOver ? { ':inProgress': 'in-progress', ':owner': claim.owner, ':now': nowMs } : {}),
            },
            { removeUndefinedValues: true },
          ),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || error.Item === undefined) throw error;
      const existing = this.recordOf(error.Item);
      // A condition fails only on a stored record; without one, the item is not an effect's.
      if (existing === undefined) {
        throw new EffectItemError('A claim was refused by an item without a record', { cause: error });
      }
      return { claimed: false, existing };
    }
  }

  async settle(key: EffectKey, token: string, outcome: SettledEffect): Promise<'recorded' | 'claim-lost'> {
    try {
      await this.updateHeld(key, token, 'SET #record = :record, expiresAt = :expiresAt', {
        ':record': outcome,
        ':expiresAt': this.expiresAt(),
      });
      return 'recorded';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The SDK's retry of a write that was applied but whose answer was lost finds its own outcome.
      const stored = error.Item === undefined ? undefined : this.recordOf(error.Item);
      return stored !== undefined && sameOutcome(stored, outcome) ? 'recorded' : 'claim-lost';
    }
  }

  async release(key: EffectKey, token: string): Promise<void> {
    // An update, not a delete: the writers of the table may put and update items, and no more.
    try {
      await this.updateHeld(key, token, 'REMOVE #record', {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** One update of an effect's item, on condition that the attempt of `token` still holds it. */
  private updateHeld(
    key: EffectKey,
    token: string,
    update: string,
    values: Readonly<Record<string, unknown>>,
  ): Promise<unknown> {
    return this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: marshall(this.keyOf(key)),
        UpdateExpression: update,
        ConditionExpression: '#record.#state = :inProgress AND #record.#token = :token',
        ExpressionAttributeNames: { '#record': 'record', '#state': 'state', '#token': 'token' },
        ExpressionAttributeValues: marshall(
          { ...values, ':inProgress': 'in-progress', ':token': token },
          { removeUndefinedValues: true },
        ),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  }

  /** The stored record of an effect, read by the ops tools and tests; undefined once released. */
  recordOf(stored: Record<string, AttributeValue>): EffectRecord | undefined {
    const { record } = unmarshall(stored);
    if (record === undefined) return undefined;
    const parsed = effectRecordSchema.safeParse(record);
    if (!parsed.success) {
      throw new EffectItemError(
        `Item is not a side effect: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  private item(key: EffectKey, record: EffectRecord): SideEffectItem {
    return {
      entity: ENTITY.sideEffect,
      scope: key.scope,
      effect: key.effect,
      record,
      expiresAt: this.expiresAt(),
    };
  }

  /** The item key under the table's key schema. */
  keyOf(key: EffectKey): Record<string, string> {
    const { pk, sk } = sideEffectKey(key.scope, key.effect);
    return this.options.keySchema === 'pk' ? { pk: `${pk}#${sk}` } : { pk, sk };
  }

  private expiresAt(): number {
    return Math.floor(this.clock().getTime() / 1000) + this.options.retentionDays * 86_400;
  }
}

function sameOutcome(stored: EffectRecord, outcome: SettledEffect): boolean {
  return stored.state === outcome.state && stored.at === outcome.at;
}
