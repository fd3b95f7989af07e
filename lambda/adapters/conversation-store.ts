import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
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

/** The stored state of one auto-response action of a message. */
export type ActionRecord =
  | {
      readonly state: 'pending';
      readonly emoji?: string;
      readonly address?: Readonly<Record<string, string>>;
    }
  | { readonly state: 'skipped'; readonly reason: string }
  | {
      readonly state: 'sent';
      readonly messageId?: string;
      readonly at: string;
      readonly attempts: number;
      readonly emoji?: string;
    }
  | {
      readonly state: 'failed';
      readonly error: { readonly name: string; readonly message: string };
      readonly at: string;
    };

/** The auto-response actions of a message. */
export type ResponseActionName = 'receipt' | 'reaction';

/** Outcome of trying to claim a message's unfinished auto-response. */
export type ClaimOutcome =
  | { readonly claimed: true; readonly record: Readonly<Record<string, unknown>> }
  /** Another invocation holds an unexpired claim, or the message has no auto-response. */
  | { readonly claimed: false; readonly record: Readonly<Record<string, unknown>> };

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
      condition: { expression: 'attribute_not_exists(receivedAt)' },
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
      condition: {
        expression: 'attribute_not_exists(lastInboundAt) OR lastInboundAt <= :sentAt',
        values: { ':sentAt': sentAt },
      },
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
   * Claims a message's unfinished auto-response for `owner` until `expiresAtMs`, if nobody holds an
   * unexpired claim. A claim expires when its holder's invocation must have ended, so a retry can
   * take over only from an invocation that is gone.
   *
   * @param nowMs - wall-clock time: claims compare with invocation deadlines, not record timestamps
   */
  async claimResponse(
    wamid: string,
    owner: string,
    expiresAtMs: number,
    nowMs = Date.now(),
  ): Promise<ClaimOutcome> {
    const now = nowMs;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          ...this.updateInput(messageKey(wamid), {
            set: { claimedBy: owner, claimExpiresAt: expiresAtMs },
            condition: {
              expression:
                'attribute_exists(autoResponse) AND (attribute_not_exists(claimedBy) OR claimExpiresAt < :now)',
              values: { ':now': now },
            },
          }),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, record: Attributes ? unmarshall(Attributes) : {} };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { claimed: false, record: error.Item ? unmarshall(error.Item) : {} };
      }
      throw error;
    }
  }

  /**
   * Records the outcome of auto-response actions and releases `owner`'s claim, in one write. Also
   * keeps each sent action's AWS message id at the top level, where EventBridge events find it.
   *
   * @returns false when the claim was no longer `owner`'s (it expired and another invocation took over)
   */
  async recordResponses(
    wamid: string,
    owner: string,
    results: Partial<Record<ResponseActionName, ActionRecord>>,
  ): Promise<boolean> {
    const set: Record<string, unknown> = {};
    for (const [action, result] of Object.entries(results)) {
      set[`autoResponse.${action}`] = result;
      if (result.state === 'sent') set[`${action}MessageId`] = result.messageId;
    }
    try {
      await this.client.send(
        new UpdateItemCommand(
          this.updateInput(messageKey(wamid), {
            set,
            remove: ['claimedBy', 'claimExpiresAt'],
            condition: { expression: 'claimedBy = :owner', values: { ':owner': owner } },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
    return {
      ...this.updateInput(key, spec),
      ReturnValuesOnConditionCheckFailure: spec.returnOldOnFailure ? 'ALL_OLD' : undefined,
    };
  }

  private updateInput(key: Record<string, string>, spec: UpdateSpec) {
    return { TableName: this.tableName, Key: marshall(key), ...buildUpdateExpression(spec) };
  }
}

interface UpdateSpec {
  /** Attributes to set; a name with dots sets a nested map entry (`autoResponse.receipt`). */
  readonly set?: Attributes;
  readonly setIfNotExists?: Attributes;
  readonly add?: Readonly<Record<string, number>>;
  readonly addToSet?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
  /** Refers to attributes by name (none of ours is a reserved word) and to `values` by `:name`. */
  readonly condition?: { readonly expression: string; readonly values?: Attributes };
  readonly returnOldOnFailure?: boolean;
}

/**
 * Builds an UpdateExpression with placeholders for every name and value, leaving out undefined
 * values so optional fields never overwrite stored ones with nothing.
 */
function buildUpdateExpression(spec: UpdateSpec): {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...spec.condition?.values };
  const clauses: Record<'SET' | 'ADD' | 'REMOVE', string[]> = { SET: [], ADD: [], REMOVE: [] };
  let counter = 0;
  const path = (name: string) =>
    name
      .split('.')
      .map((segment) => {
        const placeholder = `#a${counter++}`;
        names[placeholder] = segment;
        return placeholder;
      })
      .join('.');
  const value = (v: unknown) => {
    const placeholder = `:v${counter++}`;
    values[placeholder] = v;
    return placeholder;
  };

  for (const [name, v] of Object.entries(spec.set ?? {})) {
    if (v !== undefined) clauses.SET.push(`${path(name)} = ${value(v)}`);
  }
  for (const [name, v] of Object.entries(spec.setIfNotExists ?? {})) {
    if (v === undefined) continue;
    const p = path(name);
    clauses.SET.push(`${p} = if_not_exists(${p}, ${value(v)})`);
  }
  for (const [name, v] of Object.entries(spec.add ?? {})) clauses.ADD.push(`${path(name)} ${value(v)}`);
  for (const [name, v] of Object.entries(spec.addToSet ?? {}))
    clauses.ADD.push(`${path(name)} ${value(new Set([v]))}`);
  for (const name of spec.remove ?? []) clauses.REMOVE.push(path(name));

  const marshalled = marshall(values, { removeUndefinedValues: true });
  return {
    UpdateExpression: (['SET', 'ADD', 'REMOVE'] as const)
      .filter((verb) => clauses[verb].length > 0)
      .map((verb) => `${verb} ${clauses[verb].join(', ')}`)
      .join(' '),
    ConditionExpression: spec.condition?.expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: Object.keys(marshalled).length > 0 ? marshalled : undefined,
  };
}

function isoFromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
