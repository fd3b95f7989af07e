/**
 * Counts messages by price category on the conversation table: a marker beside the message and a
 * day's total, in one transaction, so each wamid counts once per category whatever the order and
 * number of its statuses (docs/cost.md).
 */
import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CONVERSATION_TABLE, costDayPartition, costTotalKey, ENTITY } from '../../contracts';
import { daysBetween, type PricedMessage } from '../domain/cost';
import { type CostTotalItem, fromItem, ItemDecodeError, type PricedMessageItem, toItem } from './items';
import { queryAll } from './query';
import { buildUpdateExpression } from './update-expression';

/** Options of a {@link CostStore}. */
export interface CostStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retentionDays: number;
  readonly clock?: () => Date;
}

/** Counts priced messages, and reads the daily totals back. */
export class CostStore {
  private readonly clock: () => Date;

  constructor(private readonly options: CostStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Counts a message in its category and day, once.
   * @returns `counted`, or `duplicate` when this wamid was counted in this category before
   */
  async count(priced: PricedMessage): Promise<'counted' | 'duplicate'> {
    const now = this.clock();
    const expiresAt = Math.floor(now.getTime() / 1000) + this.options.retentionDays * 86_400;
    const marker: PricedMessageItem = {
      entity: ENTITY.pricedMessage,
      wamid: priced.wamid,
      businessPhoneNumberId: priced.businessPhoneNumberId,
      category: priced.category,
      pricingType: priced.pricingType,
      day: priced.day,
      countedAt: now.toISOString(),
      expiresAt,
    };
    const { tableName } = this.options;
    try {
      await this.options.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: toItem(marker),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: marshall(
                  costTotalKey(
                    priced.day,
                    priced.businessPhoneNumberId,
                    priced.category,
                    priced.pricingType,
                    priced.market,
                  ),
                ),
                ...buildUpdateExpression({
                  set: {
                    entity: ENTITY.costTotal,
                    businessPhoneNumberId: priced.businessPhoneNumberId,
                    day: priced.day,
                    category: priced.category,
                    pricingType: priced.pricingType,
                    billable: priced.billable,
                    callingCode: priced.market.callingCode,
                    region: priced.market.region,
                    expiresAt,
                  },
                  add: { messages: 1 },
                }),
              },
            },
          ],
        }),
      );
      return 'counted';
    } catch (error) {
      // Only the marker has a condition: the cancellation says this wamid counted already.
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return 'duplicate';
      }
      throw error;
    }
  }

  /** A business number's daily totals from `fromDay` to `toDay` (UTC, `YYYY-MM-DD`, inclusive), oldest first. */
  async totals(businessPhoneNumberId: string, fromDay: string, toDay: string): Promise<CostTotalItem[]> {
    const days = daysBetween(fromDay, toDay);
    const perDay = await Promise.all(days.map((day) => this.dayTotals(day, businessPhoneNumberId)));
    return perDay.flat();
  }

  /** One UTC day's totals: of every business number, or of the one named. */
  async dayTotals(day: string, businessPhoneNumberId?: string): Promise<CostTotalItem[]> {
    const names = { '#pk': CONVERSATION_TABLE.partitionKey, '#sk': CONVERSATION_TABLE.sortKey };
    const stored = await queryAll(this.options.client, {
      TableName: this.options.tableName,
      KeyConditionExpression:
        businessPhoneNumberId === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :number)',
      ExpressionAttributeNames: businessPhoneNumberId === undefined ? { '#pk': names['#pk'] } : names,
      ExpressionAttributeValues: marshall({
        ':pk': costDayPartition(day),
        ...(businessPhoneNumberId === undefined ? {} : { ':number': `${businessPhoneNumberId}#` }),
      }),
    });
    return stored.map((raw) => {
      const item = fromItem(raw);
      if (item.entity !== ENTITY.costTotal)
        throw new ItemDecodeError(`Expected a cost total, found a ${item.entity}`);
      return item;
    });
  }
}
