import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { InboundMessage, StatusUpdate, WebhookError } from '../domain/model';
import { activityBucketOf, conversationItemKey, conversationKeyOf, messageKey } from '../shared/table-schema';

/** Options of a {@link ConversationStore}. */
export interface ConversationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days an item lives after its last write (its TTL). */
  readonly retentionDays: number;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** What recording an inbound message did. */
export type InboundOutcome =
  | { readonly kind: 'created' }
  /** The wamid was recorded before (a redelivery or a Meta retry); `existing` is that record. */
  | { readonly kind: 'duplicate'; readonly existing: Readonly<Record<string, unknown>> };

/** Attributes to write, by name; `undefined` values are left out. */
type Attributes = Readonly<Record<string, unknown>>;

const MAX_CONFLICT_RETRIES = 3;

/**
 * The conversation table, written so that every event costs a fixed, small number of requests and
 * no reads (see docs/table-design.md):
 * - a new inbound message is one transaction: create the message if its wamid is new, and update
 *   its conversation; a duplicate cancels the transaction and writes nothing;
 * - a status is one unconditional, idempotent update of its message.
 */
export class ConversationStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly clock: () => Date;

  constructor(options: ConversationStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionSeconds = options.retentionDays * 86_400;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Records an inbound message and its conversation exactly once.
   *
   * @param extra - further attributes of the message record, written in the same transaction
   */
  async recordInbound(message: InboundMessage, extra: Attributes = {}): Promise<InboundOutcome> {
    const now = this.clock();
    const sentAt = isoFromUnixSeconds(message.timestamp);
    const conversationKey = conversationKeyOf(message.source.businessPhoneNumberId, message.customer.key);
    const common = { expiresAt: this.expiresAt(now), receivedAt: now.toISOString() };

    const messageUpdate = this.update(messageKey(message.wamid), {
      set: {
        entity: 'message',
        wamid: message.wamid,
        direction: 'inbound',
        type: message.type,
        conversationKey,
        conversationSort: `${sentAt}#${message.wamid}`,
        businessPhoneNumberId: message.source.businessPhoneNumberId,
        displayPhoneNumber: message.source.displayPhoneNumber,
        wabaId: message.source.wabaId,
        snsMessageId: message.source.snsMessageId,
        customerKey: message.customer.key,
        customerPhone: message.customer.phone,
        customerUserId: message.customer.userId,
        timestamp: message.timestamp,
        sentAt,
        routing: message.routing.kind,
        originationPhoneNumberId:
          message.routing.kind === 'routed' ? message.routing.originationPhoneNumberId : undefined,
        content: message.content,
        replyTo: message.replyTo,
        forwarded: message.forwarded,
        frequentlyForwarded: message.frequentlyForwarded,
        referral: message.referral,
        errors: message.errors,
        // The message exactly as received, so unknown types and fields can be reprocessed later.
        payload: JSON.stringify(message.raw),
        ...common,
        ...extra,
      },
      // A status (e.g. `deleted`) may have created the item first; only an earlier inbound record counts.
      condition: 'attribute_not_exists(receivedAt)',
      returnOldOnFailure: true,
    });

    const conversationFields = {
      entity: 'conversation',
      conversationKey,
      businessPhoneNumberId: message.source.businessPhoneNumberId,
      customerKey: message.customer.key,
      customerPhone: message.customer.phone,
      customerUserId: message.customer.userId,
      originationPhoneNumberId:
        message.routing.kind === 'routed' ? message.routing.originationPhoneNumberId : undefined,
      expiresAt: common.expiresAt,
    };
    const conversationUpdate = this.update(conversationItemKey(conversationKey), {
      set: {
        ...conversationFields,
        profileName: message.customer.profileName,
        username: message.customer.username,
        lastInboundAt: sentAt,
        lastInboundWamid: message.wamid,
        activityBucket: activityBucketOf(message.source.businessPhoneNumberId, sentAt),
      },
      setIfNotExists: { createdAt: common.receivedAt },
      add: { inboundCount: 1 },
      // The service window must never move back when an older message arrives late.
      condition: 'attribute_not_exists(lastInboundAt) OR lastInboundAt <= :lastInboundAt',
    });
    // For a message older than the conversation's last one: count and keep it, move nothing back.
    const lateConversationUpdate = this.update(conversationItemKey(conversationKey), {
      set: conversationFields,
      setIfNotExists: { createdAt: common.receivedAt },
      add: { inboundCount: 1 },
    });

    let conversation = conversationUpdate;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Update: messageUpdate }, { Update: conversation }],
          }),
        );
        return { kind: 'created' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [messageReason, conversationReason] = error.CancellationReasons ?? [];
        if (messageReason?.Code === 'ConditionalCheckFailed') {
          return { kind: 'duplicate', existing: messageReason.Item ? unmarshall(messageReason.Item) : {} };
        }
        if (conversationReason?.Code === 'ConditionalCheckFailed' && conversation === conversationUpdate) {
          conversation = lateConversationUpdate;
          continue;
        }
        // Concurrent deliveries of the same wamid conflict; the retry then sees the winner's record.
        const conflicted = [messageReason, conversationReason].some((r) => r?.Code === 'TransactionConflict');
        if (!conflicted || attempt >= MAX_CONFLICT_RETRIES) throw error;
        await sleep(25 * 2 ** attempt + Math.random() * 25);
      }
    }
  }

  /**
   * Records a status of a message with one blind, idempotent write: the status joins the message's
   * set of statuses (its current status is derived from that set, see domain/status.ts) and its
   * details are kept under a per-status, per-timestamp attribute. Creates the message record if
   * the message was sent by something other than this pipeline.
   */
  async recordStatus(status: StatusUpdate): Promise<void> {
    const now = this.clock();
    const at = isoFromUnixSeconds(status.timestamp);
    const conversationKey =
      status.recipient === undefined
        ? undefined
        : conversationKeyOf(status.source.businessPhoneNumberId, status.recipient.key);
    const historyAttribute = `status_${status.status.replace(/[^A-Za-z0-9]/g, '_').slice(0, 32)}_${status.timestamp}`;

    await this.client.send(
      new UpdateItemCommand(
        this.updateInput(messageKey(status.wamid), {
          set: { expiresAt: this.expiresAt(now) },
          setIfNotExists: {
            [historyAttribute]: {
              status: status.status,
              at,
              errors: status.errors,
              pricing: status.pricing,
              conversation: status.conversation,
              snsMessageId: status.source.snsMessageId,
              recordedAt: now.toISOString(),
            },
            entity: 'message',
            wamid: status.wamid,
            direction: 'outbound',
            businessPhoneNumberId: status.source.businessPhoneNumberId,
            conversationKey,
            conversationSort: conversationKey === undefined ? undefined : `${at}#${status.wamid}`,
            customerKey: status.recipient?.key,
            customerPhone: status.recipient?.phone,
            customerUserId: status.recipient?.userId,
          },
          addToSet: { statuses: status.status },
        }),
      ),
    );
  }

  /**
   * Records a webhook-level error. Its key derives from its content, so a redelivery overwrites
   * the same item.
   */
  async recordWebhookError(error: WebhookError, publishedAt: string | undefined): Promise<void> {
    const now = this.clock();
    const digest = createHash('sha256').update(JSON.stringify(error.raw)).digest('hex').slice(0, 16);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          {
            pk: `WEBHOOKERROR#${error.source.businessPhoneNumberId}`,
            sk: `${publishedAt ?? now.toISOString()}#${digest}`,
            entity: 'webhook-error',
            businessPhoneNumberId: error.source.businessPhoneNumberId,
            wabaId: error.source.wabaId,
            snsMessageId: error.source.snsMessageId,
            code: error.code,
            title: error.title,
            message: error.message,
            details: error.details,
            payload: JSON.stringify(error.raw),
            recordedAt: now.toISOString(),
            expiresAt: this.expiresAt(now),
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  private expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.retentionSeconds;
  }

  private update(key: Record<string, string>, spec: UpdateSpec): Update {
    const {
      Key,
      TableName,
      UpdateExpression,
      ConditionExpression,
      ExpressionAttributeNames,
      ExpressionAttributeValues,
    } = this.updateInput(key, spec);
    return {
      Key,
      TableName,
      UpdateExpression,
      ConditionExpression,
      ExpressionAttributeNames,
      ExpressionAttributeValues,
      ReturnValuesOnConditionCheckFailure: spec.returnOldOnFailure ? 'ALL_OLD' : undefined,
    };
  }

  private updateInput(key: Record<string, string>, spec: UpdateSpec) {
    return { TableName: this.tableName, Key: marshall(key), ...buildUpdateExpression(spec) };
  }
}

interface UpdateSpec {
  readonly set?: Attributes;
  readonly setIfNotExists?: Attributes;
  readonly add?: Readonly<Record<string, number>>;
  readonly addToSet?: Readonly<Record<string, string>>;
  /** May refer to any `set` value as `:<name>`. */
  readonly condition?: string;
  readonly returnOldOnFailure?: boolean;
}

/**
 * Builds an UpdateExpression with one placeholder per attribute (`#name`, `:name`), leaving out
 * undefined values so optional fields never overwrite stored ones with nothing.
 */
function buildUpdateExpression(spec: UpdateSpec): {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const setClauses: string[] = [];
  const addClauses: string[] = [];
  let counter = 0;
  const placeholder = (name: string, value: unknown): [string, string] => {
    const id = counter++;
    names[`#a${id}`] = name;
    values[`:v${id}`] = value;
    return [`#a${id}`, `:v${id}`];
  };

  for (const [name, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) continue;
    const [n, v] = placeholder(name, value);
    setClauses.push(`${n} = ${v}`);
  }
  for (const [name, value] of Object.entries(spec.setIfNotExists ?? {})) {
    if (value === undefined) continue;
    const [n, v] = placeholder(name, value);
    setClauses.push(`${n} = if_not_exists(${n}, ${v})`);
  }
  for (const [name, value] of Object.entries(spec.add ?? {})) {
    const [n, v] = placeholder(name, value);
    addClauses.push(`${n} ${v}`);
  }
  const setValues: Record<string, Set<string>> = {};
  for (const [name, value] of Object.entries(spec.addToSet ?? {})) {
    const [n, v] = placeholder(name, undefined);
    setValues[v] = new Set([value]);
    addClauses.push(`${n} ${v}`);
  }

  let condition = spec.condition;
  if (condition !== undefined) {
    // Conditions name attributes directly and their values as `:<attribute>`.
    for (const [name, value] of Object.entries(spec.set ?? {})) {
      if (condition.includes(`:${name}`)) {
        values[`:${name}`] = value;
      }
    }
    condition = condition.trim();
  }

  const marshalled = marshall({ ...values, ...setValues }, { removeUndefinedValues: true });
  return {
    UpdateExpression: [
      setClauses.length > 0 ? `SET ${setClauses.join(', ')}` : '',
      addClauses.length > 0 ? `ADD ${addClauses.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshalled,
  };
}

function isoFromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
