import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  type ReturnConsumedCapacity,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  activityBucketOf,
  callKey,
  conversationItemKey,
  conversationKeyOf,
  DEFAULT_HUMAN_TAKEOVER_MINUTES,
  ENTITY,
  groupCustomerKey,
  messageKey,
  type TableKey,
} from '../../contracts';
import {
  type CallEvent,
  type Customer,
  type EchoMessage,
  type HistoryMessage,
  type InboundMessage,
  type MessageStatus,
  type StatusUpdate,
  toMessageStatus,
  type WebhookError,
} from '../domain/model';
import type { MessageDeletion, MessageEdit } from '../domain/revisions';
import { statusRank } from '../domain/status';
import {
  type ActionRecord,
  ATTRIBUTE,
  type Attributes,
  type AutoResponseRecord,
  type Claim,
  callStatusKeyOf,
  conversationFromItem,
  type MessageItem,
  messageFromItem,
  type ResponseActionName,
  type StatusHistoryEntry,
  statusKeyOf,
  toAttributes,
  toItem,
  type WebhookErrorItem,
} from './items';
import { buildUpdateExpression, type UpdateSpec } from './update-expression';

/** Options of a {@link ConversationStore}. */
export interface ConversationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days an item lives after its last write (its TTL). */
  readonly retentionDays: number;
  /**
   * Minutes the bots of a conversation stay quiet after a person wrote in it from the WhatsApp
   * Business app. @default DEFAULT_HUMAN_TAKEOVER_MINUTES
   */
  readonly humanTakeoverMinutes?: number;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
  /**
   * Ask DynamoDB for the capacity each write consumed and report it here (the benchmark measures
   * write units this way). @default - not asked
   */
  readonly onConsumedCapacity?: (operation: string, capacity: unknown) => void;
}

/** What recording a call webhook did. */
export type CallOutcomeOfWrite = { readonly kind: 'recorded' } | { readonly kind: 'duplicate' };

/** What recording an echo of the WhatsApp Business app did. */
export type EchoOutcome =
  /** Recorded; `humanTakeoverUntil` is the pause it started (absent when a later one stands). */
  { readonly kind: 'recorded'; readonly humanTakeoverUntil?: string } | { readonly kind: 'duplicate' };

/** The auto-response written with a new message: its plan, and the claim of whoever sends it. */
export interface NewAutoResponse {
  readonly record: AutoResponseRecord;
  readonly claim?: Claim;
}

/** What recording an inbound message did. */
export type InboundOutcome =
  | { readonly kind: 'created'; readonly item: MessageItem }
  /** The wamid was recorded before (a redelivery or a Meta retry); `existing` is that record. */
  | { readonly kind: 'duplicate'; readonly existing: MessageItem };

/** What recording a status did. */
export type StatusOutcome =
  /** The status joined the history; `current` is the message's status after it. */
  | {
      readonly kind: 'recorded';
      readonly previous?: MessageStatus;
      readonly current: MessageStatus;
      /** Requests made: 1 in order, 2 when the status arrived after a higher one. */
      readonly writes: number;
    }
  /** This status (same status, same time) was recorded before. */
  | { readonly kind: 'duplicate'; readonly writes: number };

/** What recording an edit or a deletion of a message did. */
export type RevisionOutcome =
  /** Applied to the message's record (which it created if the message is not recorded yet). */
  | { readonly kind: 'recorded' }
  /** This edit, or a deletion, was recorded before. */
  | { readonly kind: 'duplicate' }
  /** An edit of a message the customer has deleted: the deletion wins, the edit's words are not kept. */
  | { readonly kind: 'deleted' };

/** An inbound message that edits or deletes an earlier one. */
export type RevisionMessage = InboundMessage & { readonly content: { readonly kind: 'edit' | 'revoke' } };

/** Whether a message edits or deletes an earlier one, rather than saying something new. */
export function isRevision(message: InboundMessage): message is RevisionMessage {
  return message.content.kind === 'edit' || message.content.kind === 'revoke';
}

/** Outcome of trying to claim a message's unfinished auto-response. */
export type ClaimOutcome =
  | { readonly claimed: true; readonly record: MessageItem }
  /** Another invocation holds an unexpired claim, or the message has no auto-response. */
  | { readonly claimed: false; readonly record?: MessageItem };

/** What recording auto-response outcomes did. */
export type RecordResponsesOutcome = 'recorded' | 'already-recorded' | 'claim-lost';

const MAX_CONFLICT_RETRIES = 3;

/** A conversation that is not merged into another (IdentityStore): the only kind a message may move. */
const NOT_MERGED = 'attribute_not_exists(mergedInto)';

/**
 * The conversation was merged into another while this record was on its way (two identifiers of
 * one customer found to be one person). Nothing was written; the invocation fails, and its retry
 * resolves the customer to the conversation they belong to now.
 */
export class ConversationMergedError extends Error {
  public override readonly name = 'ConversationMergedError';
  constructor(public readonly mergedInto: string) {
    // The key is a customer's identifier: it stays on the error, out of its message (and of logs).
    super('The conversation was merged into another; resolve the customer again');
  }
}

/**
 * The conversation table, written so that every event costs a fixed, small number of requests and
 * no reads (see docs/table-design.md):
 * - a new inbound message is one transaction: create the message if its wamid is new, and update
 *   its conversation; a duplicate cancels the transaction and writes nothing;
 * - a status is one conditional update of its message in order, two out of order.
 */
export class ConversationStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly humanTakeoverSeconds: number;
  private readonly clock: () => Date;
  private readonly returnConsumedCapacity?: ReturnConsumedCapacity;

  constructor(private readonly options: ConversationStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionSeconds = options.retentionDays * 86_400;
    this.humanTakeoverSeconds = (options.humanTakeoverMinutes ?? DEFAULT_HUMAN_TAKEOVER_MINUTES) * 60;
    this.clock = options.clock ?? (() => new Date());
    this.returnConsumedCapacity = options.onConsumedCapacity === undefined ? undefined : 'INDEXES';
  }

  /** Records an inbound message and its conversation exactly once, with its auto-response plan. */
  async recordInbound(message: InboundMessage, autoResponse?: NewAutoResponse): Promise<InboundOutcome> {
    const now = this.clock();
    const sentAt = isoFromUnixSeconds(message.timestamp);
    const party = partyOf(message);
    const conversationKey = conversationKeyOf(message.source.businessPhoneNumberId, party.key);
    const expiresAt = this.expiresAt(now);
    const originationPhoneNumberId =
      message.routing.kind === 'routed' ? message.routing.originationPhoneNumberId : undefined;

    const item: MessageItem = {
      entity: ENTITY.message,
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
      groupId: message.groupId,
      timestamp: message.timestamp,
      sentAt,
      routing: message.routing.kind,
      originationPhoneNumberId,
      content: message.content,
      replyTo: message.replyTo,
      forwarded: message.forwarded,
      frequentlyForwarded: message.frequentlyForwarded,
      referral: message.referral,
      errors: message.errors,
      payload: message.rawJson,
      receivedAt: now.toISOString(),
      expiresAt,
      autoResponse: autoResponse?.record,
      claim: autoResponse?.claim,
      statusHistory: [],
    };
    // A status (e.g. `deleted`) or an edit may have created the item first; only an earlier
    // inbound record counts. A deletion that came first keeps the content out.
    const messageUpdateOf = (recorded: MessageItem, deletionKnown: boolean) =>
      this.update(messageKey(message.wamid), {
        set: toAttributes(recorded),
        condition: {
          expression: deletionKnown
            ? `attribute_not_exists(${ATTRIBUTE.receivedAt})`
            : `attribute_not_exists(${ATTRIBUTE.receivedAt}) AND attribute_not_exists(${ATTRIBUTE.deletion})`,
        },
        returnOldOnFailure: true,
      });

    const conversationFields = {
      entity: ENTITY.conversation,
      conversationKey,
      businessPhoneNumberId: message.source.businessPhoneNumberId,
      customerKey: party.key,
      groupId: message.groupId,
      originationPhoneNumberId,
      expiresAt,
    };
    // The customer's current identifiers are the first known, then whatever identity change Meta
    // reports (IdentityStore.applyChange): a late message from a replaced number never moves them back.
    const onCreate = {
      setIfNotExists: {
        [ATTRIBUTE.createdAt]: item.receivedAt,
        customerPhone: party.phone,
        customerUserId: party.userId,
        customerParentUserId: party.parentUserId,
      },
      add: { [ATTRIBUTE.inboundCount]: 1 },
    };
    // The service window must never move back when an older message arrives late; and while a
    // person handles the conversation from the app, the message is recorded as not to be answered.
    // Both conditions cost nothing when they hold; when one fails, DynamoDB returns the
    // conversation with the failure and the next attempt writes what it says.
    const inOrder = `(attribute_not_exists(${ATTRIBUTE.lastInboundAt}) OR ${ATTRIBUTE.lastInboundAt} <= :sentAt)`;
    const noTakeover = `(attribute_not_exists(${ATTRIBUTE.humanTakeoverUntil}) OR ${ATTRIBUTE.humanTakeoverUntil} <= :sentAt)`;
    const conversationUpdateOf = (checkTakeover: boolean) =>
      this.update(conversationItemKey(conversationKey), {
        set: {
          ...conversationFields,
          profileName: party.profileName,
          username: party.username,
          [ATTRIBUTE.lastInboundAt]: sentAt,
          lastInboundWamid: message.wamid,
          activityBucket: activityBucketOf(message.source.businessPhoneNumberId, sentAt),
        },
        ...onCreate,
        condition: {
          expression: `${NOT_MERGED} AND ${checkTakeover ? `${inOrder} AND ${noTakeover}` : inOrder}`,
          values: { ':sentAt': sentAt },
        },
        returnOldOnFailure: true,
      });
    // For a message older than the conversation's last one: count and keep it, move nothing back.
    const lateConversationUpdate = this.update(conversationItemKey(conversationKey), {
      set: conversationFields,
      ...onCreate,
      condition: { expression: NOT_MERGED },
      returnOldOnFailure: true,
    });

    let recorded = item;
    let deletionKnown = false;
    let takeoverKnown = false;
    let update = messageUpdateOf(recorded, deletionKnown);
    let conversation = conversationUpdateOf(true);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Update: update }, { Update: conversation }],
            ReturnConsumedCapacity: this.returnConsumedCapacity,
          }),
        );
        this.report('recordInbound', result.ConsumedCapacity);
        return { kind: 'created', item: recorded };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [messageReason, conversationReason] = error.CancellationReasons ?? [];
        if (messageReason?.Code === 'ConditionalCheckFailed' && messageReason.Item !== undefined) {
          const existing = messageFromItem(messageReason.Item);
          if (existing.receivedAt !== undefined || existing.deletion === undefined || deletionKnown) {
            return { kind: 'duplicate', existing };
          }
          // Deleted before it arrived: recorded as a tombstone, without its words, never answered.
          recorded = deletedBeforeArrival(recorded, existing);
          deletionKnown = true;
          update = messageUpdateOf(recorded, deletionKnown);
          continue;
        }
        if (conversationReason?.Code === 'ConditionalCheckFailed' && conversationReason.Item !== undefined) {
          const stored = conversationFromItem(conversationReason.Item);
          if (stored.mergedInto !== undefined) throw new ConversationMergedError(stored.mergedInto);
          const until = stored.humanTakeoverUntil;
          if (!takeoverKnown && until !== undefined && until > sentAt) {
            recorded = duringHumanTakeover(recorded, until);
            update = messageUpdateOf(recorded, deletionKnown);
          }
          takeoverKnown = true;
          const late = stored.lastInboundAt !== undefined && stored.lastInboundAt > sentAt;
          conversation = late ? lateConversationUpdate : conversationUpdateOf(false);
          if (attempt < MAX_CONFLICT_RETRIES) continue;
          throw error;
        }
        // Concurrent deliveries of the same wamid conflict; the retry then sees the winner's record.
        const conflicted = [messageReason, conversationReason].some((r) => r?.Code === 'TransactionConflict');
        if (!conflicted || attempt >= MAX_CONFLICT_RETRIES) throw error;
        await sleep(25 * 2 ** attempt + Math.random() * 25);
      }
    }
  }

  /**
   * Records a message a person sent from the WhatsApp Business app (a coexistence echo) as the
   * business's outbound message, once, and pauses the conversation's bots until
   * `humanTakeoverMinutes` after it: one transaction, like a customer's message. An older echo
   * arriving late records its message and leaves a later pause as it is. A status of the echo that
   * came first has created the message; the echo fills it in.
   */
  async recordEcho(echo: EchoMessage): Promise<EchoOutcome> {
    const now = this.clock();
    const sentAt = isoFromUnixSeconds(echo.timestamp);
    const until = new Date((echo.timestamp + this.humanTakeoverSeconds) * 1000).toISOString();
    const conversationKey = conversationKeyOf(echo.source.businessPhoneNumberId, echo.customer.key);
    const expiresAt = this.expiresAt(now);
    const item: MessageItem = {
      entity: ENTITY.message,
      wamid: echo.wamid,
      direction: 'outbound',
      type: echo.type,
      conversationKey,
      conversationSort: `${sentAt}#${echo.wamid}`,
      businessPhoneNumberId: echo.source.businessPhoneNumberId,
      displayPhoneNumber: echo.source.displayPhoneNumber,
      wabaId: echo.source.wabaId,
      snsMessageId: echo.source.snsMessageId,
      customerKey: echo.customer.key,
      customerPhone: echo.customer.phone,
      customerUserId: echo.customer.userId,
      timestamp: echo.timestamp,
      sentAt,
      content: echo.content,
      payload: echo.rawJson,
      sentFrom: 'business-app',
      echoedAt: now.toISOString(),
      humanTakeoverUntil: until,
      expiresAt,
      statusHistory: [],
    };
    const messageUpdate = this.update(messageKey(echo.wamid), {
      set: toAttributes(item),
      condition: { expression: `attribute_not_exists(${ATTRIBUTE.echoedAt})` },
      returnOldOnFailure: true,
    });
    const conversationFields = {
      entity: ENTITY.conversation,
      conversationKey,
      businessPhoneNumberId: echo.source.businessPhoneNumberId,
      customerKey: echo.customer.key,
      expiresAt,
    };
    // The business may write first: a conversation it creates has no inbound message yet.
    const onCreate = {
      setIfNotExists: {
        [ATTRIBUTE.createdAt]: item.echoedAt,
        customerPhone: echo.customer.phone,
        customerUserId: echo.customer.userId,
      },
      add: { [ATTRIBUTE.inboundCount]: 0 },
    };
    const pause = this.update(conversationItemKey(conversationKey), {
      set: {
        ...conversationFields,
        [ATTRIBUTE.humanTakeoverUntil]: until,
        lastHumanReplyAt: sentAt,
        lastHumanReplyWamid: echo.wamid,
      },
      ...onCreate,
      condition: {
        expression: `${NOT_MERGED} AND (attribute_not_exists(${ATTRIBUTE.humanTakeoverUntil}) OR ${ATTRIBUTE.humanTakeoverUntil} < :until)`,
        values: { ':until': until },
      },
      returnOldOnFailure: true,
    });
    const lateEcho = this.update(conversationItemKey(conversationKey), {
      set: conversationFields,
      ...onCreate,
      condition: { expression: NOT_MERGED },
      returnOldOnFailure: true,
    });

    let conversation = pause;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Update: messageUpdate }, { Update: conversation }],
          }),
        );
        return { kind: 'recorded', humanTakeoverUntil: conversation === pause ? until : undefined };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [messageReason, conversationReason] = error.CancellationReasons ?? [];
        if (messageReason?.Code === 'ConditionalCheckFailed') return { kind: 'duplicate' };
        const mergedInto =
          conversationReason?.Item === undefined
            ? undefined
            : conversationFromItem(conversationReason.Item).mergedInto;
        if (mergedInto !== undefined) throw new ConversationMergedError(mergedInto);
        if (conversationReason?.Code === 'ConditionalCheckFailed' && conversation === pause) {
          conversation = lateEcho;
          continue;
        }
        const conflicted = [messageReason, conversationReason].some((r) => r?.Code === 'TransactionConflict');
        if (!conflicted || attempt >= MAX_CONFLICT_RETRIES) throw error;
        await sleep(25 * 2 ** attempt + Math.random() * 25);
      }
    }
  }

  /**
   * Records one webhook of a WhatsApp call on the call's item, in the customer's conversation, in
   * one write and in any order: the connect and the terminate once each (conditional on not being
   * recorded yet), a status once per status and time. A call is never a message: it moves no
   * service window and nothing answers it.
   *
   * @returns `recorded` with the call as it stands after the write, or `duplicate`
   */
  async recordCall(event: CallEvent): Promise<CallOutcomeOfWrite> {
    const now = this.clock();
    const at = isoFromUnixSeconds(event.timestamp);
    const conversationKey = conversationKeyOf(event.source.businessPhoneNumberId, event.customer.key);
    const identity: Attributes = {
      [ATTRIBUTE.entity]: ENTITY.call,
      callId: event.callId,
      businessPhoneNumberId: event.source.businessPhoneNumberId,
      wabaId: event.source.wabaId,
      conversationKey,
      conversationSort: `${at}#${event.callId}`,
      customerKey: event.customer.key,
      customerPhone: event.customer.phone,
      direction: event.direction,
    };
    const common = {
      setIfNotExists: identity,
      set: { [ATTRIBUTE.expiresAt]: this.expiresAt(now) } as Attributes,
    };
    const spec: UpdateSpec =
      event.event === 'status'
        ? {
            ...common,
            appendToList: { statuses: { status: event.status ?? 'unknown', at } },
            addToSet: { [ATTRIBUTE.statusKeys]: callStatusKeyOf(event.status ?? 'unknown', at) },
            condition: {
              expression: `attribute_not_exists(${ATTRIBUTE.statusKeys}) OR NOT contains(${ATTRIBUTE.statusKeys}, :key)`,
              values: { ':key': callStatusKeyOf(event.status ?? 'unknown', at) },
            },
          }
        : event.event === 'terminate'
          ? {
              ...common,
              // An attribute is either set or kept if present, never both in one write.
              setIfNotExists:
                event.startTime === undefined ? identity : { ...identity, conversationSort: undefined },
              set: {
                ...common.set,
                // The call's place in its conversation is its start, whichever webhook came first.
                conversationSort:
                  event.startTime === undefined
                    ? undefined
                    : `${isoFromUnixSeconds(event.startTime)}#${event.callId}`,
                terminatedAt: at,
                terminateStatus: event.status ?? 'unknown',
                startedAt: event.startTime === undefined ? undefined : isoFromUnixSeconds(event.startTime),
                endedAt: event.endTime === undefined ? undefined : isoFromUnixSeconds(event.endTime),
                durationSeconds: event.durationSeconds,
                errors: event.errors,
              },
              condition: { expression: 'attribute_not_exists(terminatedAt)' },
            }
          : {
              // A connect, or an event Meta added later: its first time is kept.
              ...common,
              setIfNotExists: { ...identity, connectedAt: at },
              condition: { expression: 'attribute_not_exists(connectedAt)' },
            };
    const result = await this.conditionalUpdate('recordCall', callKey(event.callId), {
      ...spec,
      returnOldOnFailure: true,
    });
    if (!result.applied) return { kind: 'duplicate' };
    return { kind: 'recorded' };
  }

  /**
   * Records a message of the WhatsApp Business app's chat history with its original time, in its
   * conversation, without touching what live messages own: no service window, no inbound count, no
   * auto-response, no `receivedAt` (so no `Message Received`). One transaction: the message, on
   * condition that no live record of it exists and it has no content beyond a placeholder (Meta
   * sends media as `media_placeholder` first and its details in a later chunk, in any order), and
   * the conversation's identity.
   */
  async recordHistory(message: HistoryMessage): Promise<'recorded' | 'duplicate'> {
    const now = this.clock();
    const sentAt = isoFromUnixSeconds(message.timestamp);
    const conversationKey = conversationKeyOf(message.source.businessPhoneNumberId, message.customer.key);
    const expiresAt = this.expiresAt(now);
    const item: MessageItem = {
      entity: ENTITY.message,
      wamid: message.wamid,
      direction: message.direction,
      type: message.type,
      conversationKey,
      conversationSort: `${sentAt}#${message.wamid}`,
      businessPhoneNumberId: message.source.businessPhoneNumberId,
      displayPhoneNumber: message.source.displayPhoneNumber,
      wabaId: message.source.wabaId,
      snsMessageId: message.source.snsMessageId,
      customerKey: message.customer.key,
      customerPhone: message.customer.phone,
      timestamp: message.timestamp,
      sentAt,
      content: message.content,
      payload: message.rawJson,
      imported: {
        at: now.toISOString(),
        phase: message.phase,
        chunkOrder: message.chunkOrder,
        status: message.status,
      },
      expiresAt,
      statusHistory: [],
    };
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: this.update(messageKey(message.wamid), {
                set: toAttributes(item),
                condition: {
                  expression: `attribute_not_exists(${ATTRIBUTE.receivedAt}) AND attribute_not_exists(${ATTRIBUTE.echoedAt}) AND (attribute_not_exists(${ATTRIBUTE.content}) OR ${ATTRIBUTE.content}.kind = :placeholder)`,
                  values: { ':placeholder': 'other' },
                },
              }),
            },
            {
              Update: this.update(conversationItemKey(conversationKey), {
                set: {
                  entity: ENTITY.conversation,
                  conversationKey,
                  businessPhoneNumberId: message.source.businessPhoneNumberId,
                  customerKey: message.customer.key,
                  customerPhone: message.customer.phone,
                  expiresAt,
                },
                setIfNotExists: { [ATTRIBUTE.createdAt]: now.toISOString() },
                add: { [ATTRIBUTE.inboundCount]: 0 },
              }),
            },
          ],
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  /**
   * Applies an edit or a deletion to the message it names, in one write and with no read, in any
   * order with the message itself and with each other (lambda/domain/revisions.ts):
   * - an edit joins the message's `edits` once; what the message says now is derived from them;
   * - a deletion removes the content, the raw payload and the edits, and leaves a tombstone; an
   *   edit that arrives after it is not kept.
   * If the message is not recorded yet, the write creates its record with the conversation it
   * belongs to, and the message fills it in when it arrives. The revision is not a message of its
   * own: it does not move the conversation or its service window.
   */
  async recordRevision(revision: RevisionMessage): Promise<RevisionOutcome> {
    const now = this.clock();
    const at = isoFromUnixSeconds(revision.timestamp);
    const content = revision.content;
    const party = partyOf(revision);
    const identity: Attributes = {
      [ATTRIBUTE.entity]: ENTITY.message,
      wamid: content.targetWamid,
      direction: 'inbound',
      businessPhoneNumberId: revision.source.businessPhoneNumberId,
      displayPhoneNumber: revision.source.displayPhoneNumber,
      wabaId: revision.source.wabaId,
      conversationKey: conversationKeyOf(revision.source.businessPhoneNumberId, party.key),
      customerKey: revision.customer.key,
      customerPhone: revision.customer.phone,
      customerUserId: revision.customer.userId,
      groupId: revision.groupId,
    };
    const key = messageKey(content.targetWamid);
    if (content.kind === 'revoke') {
      const deletion: MessageDeletion = { wamid: revision.wamid, at, recordedAt: now.toISOString() };
      const result = await this.conditionalUpdate('recordRevision', key, {
        set: { [ATTRIBUTE.deletion]: deletion, [ATTRIBUTE.expiresAt]: this.expiresAt(now) },
        setIfNotExists: identity,
        remove: [ATTRIBUTE.content, ATTRIBUTE.payload, ATTRIBUTE.edits],
        condition: { expression: `attribute_not_exists(${ATTRIBUTE.deletion})` },
      });
      return { kind: result.applied ? 'recorded' : 'duplicate' };
    }
    const edit: MessageEdit = {
      wamid: revision.wamid,
      at,
      editedType: content.editedType,
      body: content.body,
      snsMessageId: revision.source.snsMessageId,
      recordedAt: now.toISOString(),
    };
    const result = await this.conditionalUpdate('recordRevision', key, {
      set: { [ATTRIBUTE.expiresAt]: this.expiresAt(now) },
      setIfNotExists: identity,
      appendToList: { [ATTRIBUTE.edits]: edit },
      addToSet: { [ATTRIBUTE.editKeys]: revision.wamid },
      condition: {
        expression: `attribute_not_exists(${ATTRIBUTE.deletion}) AND (attribute_not_exists(${ATTRIBUTE.editKeys}) OR NOT contains(${ATTRIBUTE.editKeys}, :edit))`,
        values: { ':edit': revision.wamid },
      },
    });
    if (result.applied) return { kind: 'recorded' };
    return { kind: result.old?.[ATTRIBUTE.deletion] === undefined ? 'duplicate' : 'deleted' };
  }

  /**
   * Records a status of a message. The status joins the typed history once (a redelivery is a
   * no-op) and becomes the current `status` only if it outranks the stored one, so `status` never
   * regresses. In order this is one conditional write; a status that arrives after a higher one
   * fails that write's condition and costs a second write that only extends the history. Creates
   * the message record if the message was sent by something other than this pipeline.
   */
  async recordStatus(status: StatusUpdate): Promise<StatusOutcome> {
    const now = this.clock();
    const at = isoFromUnixSeconds(status.timestamp);
    const statusKey = statusKeyOf(status.status, at);
    const entry: StatusHistoryEntry = {
      status: status.status,
      at,
      errors: status.errors,
      pricing: status.pricing,
      conversation: status.conversation,
      snsMessageId: status.source.snsMessageId,
      recordedAt: now.toISOString(),
    };
    const partyKey = status.groupId === undefined ? status.recipient?.key : groupCustomerKey(status.groupId);
    const conversationKey =
      partyKey === undefined ? undefined : conversationKeyOf(status.source.businessPhoneNumberId, partyKey);
    // The outbound identity, written only if nothing else created the item first.
    const identity: Attributes = {
      [ATTRIBUTE.entity]: ENTITY.message,
      wamid: status.wamid,
      direction: 'outbound',
      businessPhoneNumberId: status.source.businessPhoneNumberId,
      conversationKey,
      conversationSort: conversationKey === undefined ? undefined : `${at}#${status.wamid}`,
      customerKey: partyKey,
      customerPhone: status.recipient?.phone,
      customerUserId: status.recipient?.userId,
      groupId: status.groupId,
    };
    const notYetRecorded = `(attribute_not_exists(${ATTRIBUTE.statusKeys}) OR NOT contains(${ATTRIBUTE.statusKeys}, :statusKey))`;
    const history = {
      appendToList: { [ATTRIBUTE.statusHistory]: entry },
      addToSet: { [ATTRIBUTE.statusKeys]: statusKey },
      setIfNotExists: identity,
    };
    const rank = statusRank(status.status);
    const outranks = [
      `attribute_not_exists(${ATTRIBUTE.statusRank})`,
      `${ATTRIBUTE.statusRank} < :rank`,
      // Between unknown statuses the alphabetically first wins, whatever the arrival order.
      ...(rank === 0 ? [`(${ATTRIBUTE.statusRank} = :rank AND #current > :status)`] : []),
    ].join(' OR ');

    let writes = 0;
    for (let attempt = 0; ; attempt++) {
      writes++;
      const first = await this.conditionalUpdate('recordStatus', messageKey(status.wamid), {
        ...history,
        set: {
          [ATTRIBUTE.expiresAt]: this.expiresAt(now),
          [ATTRIBUTE.status]: status.status,
          [ATTRIBUTE.statusAt]: at,
          [ATTRIBUTE.statusRank]: rank,
        },
        condition: {
          expression: `${notYetRecorded} AND (${outranks})`,
          values: {
            ':statusKey': statusKey,
            ':rank': rank,
            ...(rank === 0 ? { ':status': status.status } : {}),
          },
          names: rank === 0 ? { '#current': ATTRIBUTE.status } : undefined,
        },
        returnOldOnFailure: true,
      });
      if (first.applied) {
        const previous = stringAttribute(first.old, ATTRIBUTE.status);
        return { kind: 'recorded', previous: optionalStatus(previous), current: status.status, writes };
      }
      const old = first.old ?? {};
      if (setHas(old[ATTRIBUTE.statusKeys], statusKey)) return { kind: 'duplicate', writes };

      // Out of order: a higher status is stored. Only the history grows.
      const stored = stringAttribute(old, ATTRIBUTE.status);
      const current = stored ?? status.status;
      writes++;
      const second = await this.conditionalUpdate('recordStatus', messageKey(status.wamid), {
        ...history,
        set: { [ATTRIBUTE.expiresAt]: this.expiresAt(now) },
        condition: {
          expression: `${notYetRecorded} AND ${ATTRIBUTE.statusRank} >= :rank`,
          values: { ':statusKey': statusKey, ':rank': rank },
        },
        returnOldOnFailure: true,
      });
      if (second.applied) {
        return {
          kind: 'recorded',
          previous: optionalStatus(stored),
          current: toMessageStatus(current),
          writes,
        };
      }
      if (setHas(second.old?.[ATTRIBUTE.statusKeys], statusKey)) return { kind: 'duplicate', writes };
      // The item changed between the two writes (a concurrent status): decide again.
      if (attempt >= MAX_CONFLICT_RETRIES) {
        throw new Error(`Status ${status.status} could not be applied after ${attempt + 1} attempts`);
      }
    }
  }

  /**
   * Claims a message's unfinished auto-response for `owner` until `expiresAtMs`, if nobody else
   * holds an unexpired claim. A claim expires when its holder's invocation must have ended, so a
   * retry can take over only from an invocation that is gone; the retry of the same invocation (Lambda
   * retries keep the request id) already holds it and gets it back at once.
   *
   * @param nowMs - wall-clock time: claims compare with invocation deadlines, not record timestamps
   */
  async claimResponse(
    wamid: string,
    owner: string,
    expiresAtMs: number,
    nowMs = Date.now(),
  ): Promise<ClaimOutcome> {
    try {
      const { Attributes: updated } = await this.client.send(
        new UpdateItemCommand({
          ...this.updateInput(messageKey(wamid), {
            set: { [ATTRIBUTE.claimedBy]: owner, [ATTRIBUTE.claimExpiresAt]: expiresAtMs },
            condition: {
              expression: `attribute_exists(${ATTRIBUTE.autoResponse}) AND (attribute_not_exists(${ATTRIBUTE.claimedBy}) OR ${ATTRIBUTE.claimedBy} = :owner OR ${ATTRIBUTE.claimExpiresAt} < :now)`,
              values: { ':now': nowMs, ':owner': owner },
            },
          }),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (updated === undefined) throw new Error(`Claiming ${messageKey(wamid).pk} returned no item`);
      return { claimed: true, record: messageFromItem(updated) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { claimed: false, record: error.Item === undefined ? undefined : messageFromItem(error.Item) };
      }
      throw error;
    }
  }

  /**
   * Gives up `owner`'s claim without recording anything, so the next attempt can take it at once.
   * A no-op when the claim is no longer `owner`'s.
   */
  async releaseClaim(wamid: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand(
          this.updateInput(messageKey(wamid), {
            remove: [ATTRIBUTE.claimedBy, ATTRIBUTE.claimExpiresAt],
            condition: { expression: `${ATTRIBUTE.claimedBy} = :owner`, values: { ':owner': owner } },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Records the outcome of auto-response actions and releases `owner`'s claim, in one write. Also
   * keeps each sent action's AWS message id at the top level, where EventBridge events find it.
   *
   * @returns `recorded`; `already-recorded` when this very write was applied before (an SDK retry
   *   after a lost answer); `claim-lost` when the claim expired and another invocation took over
   */
  async recordResponses(
    wamid: string,
    owner: string,
    results: Partial<Record<ResponseActionName, ActionRecord>>,
  ): Promise<RecordResponsesOutcome> {
    const set: Record<string, unknown> = {};
    for (const [action, result] of Object.entries(results)) {
      set[`${ATTRIBUTE.autoResponse}.${action}`] = result;
      if (result.state === 'sent') set[`${action}MessageId`] = result.messageId;
    }
    try {
      await this.client.send(
        new UpdateItemCommand({
          ...this.updateInput(messageKey(wamid), {
            set,
            remove: [ATTRIBUTE.claimedBy, ATTRIBUTE.claimExpiresAt],
            condition: { expression: `${ATTRIBUTE.claimedBy} = :owner`, values: { ':owner': owner } },
          }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item === undefined ? undefined : messageFromItem(error.Item);
      return old !== undefined && old.claim === undefined && sameOutcomes(old.autoResponse, results)
        ? 'already-recorded'
        : 'claim-lost';
    }
  }

  /**
   * Records a webhook-level error. Its key derives from its content, so a redelivery overwrites
   * the same item.
   */
  async recordWebhookError(error: WebhookError, publishedAt: string | undefined): Promise<void> {
    const now = this.clock();
    const item: WebhookErrorItem = {
      entity: ENTITY.webhookError,
      businessPhoneNumberId: error.source.businessPhoneNumberId,
      occurredAt: publishedAt ?? now.toISOString(),
      digest: createHash('sha256').update(error.rawJson).digest('hex').slice(0, 16),
      wabaId: error.source.wabaId,
      snsMessageId: error.source.snsMessageId,
      code: error.code,
      title: error.title,
      message: error.message,
      details: error.details,
      payload: error.rawJson,
      recordedAt: now.toISOString(),
      expiresAt: this.expiresAt(now),
    };
    const result = await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toItem(item),
        ReturnConsumedCapacity: this.returnConsumedCapacity,
      }),
    );
    this.report('recordWebhookError', result.ConsumedCapacity);
  }

  private async conditionalUpdate(
    operation: string,
    key: TableKey,
    spec: UpdateSpec,
  ): Promise<{ applied: boolean; old?: Attributes }> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          ...this.updateInput(key, spec),
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: this.returnConsumedCapacity,
        }),
      );
      this.report(operation, result.ConsumedCapacity);
      return {
        applied: true,
        old: result.Attributes === undefined ? undefined : unmarshall(result.Attributes),
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, old: error.Item === undefined ? undefined : unmarshall(error.Item) };
    }
  }

  private report(operation: string, capacity: unknown): void {
    if (capacity !== undefined) this.options.onConsumedCapacity?.(operation, capacity);
  }

  private expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.retentionSeconds;
  }

  private update(key: TableKey, spec: UpdateSpec): Update {
    return {
      ...this.updateInput(key, spec),
      ReturnValuesOnConditionCheckFailure: spec.returnOldOnFailure ? 'ALL_OLD' : undefined,
    };
  }

  private updateInput(key: TableKey, spec: UpdateSpec) {
    return { TableName: this.tableName, Key: marshall(key), ...buildUpdateExpression(spec) };
  }
}

/** The other side of a message's conversation: the customer, or the group it was written in. */
function partyOf(message: InboundMessage): Customer {
  // A group is its own conversation: its party is the group, not the participant who wrote.
  return message.groupId === undefined ? message.customer : { key: groupCustomerKey(message.groupId) };
}

/**
 * The record of a message the customer deleted before the pipeline saw it: no words, no raw
 * payload, and an auto-response that will never be sent (nobody expects an answer to a deleted
 * message).
 */
function deletedBeforeArrival(item: MessageItem, existing: MessageItem): MessageItem {
  return withoutAnswer({ ...item, deletion: existing.deletion }, 'deleted');
}

/** The record of a message that arrived while a person handled its conversation from the app. */
function duringHumanTakeover(item: MessageItem, until: string): MessageItem {
  return withoutAnswer({ ...item, humanTakeoverUntil: until }, 'human-takeover');
}

/** The record with its auto-response skipped for `reason` (a deletion's reason stands) and no claim. */
function withoutAnswer(item: MessageItem, reason: string): MessageItem {
  const { claim: _claim, ...rest } = item;
  const skipped = { state: 'skipped', reason: item.deletion === undefined ? reason : 'deleted' } as const;
  const { content, payload } =
    item.deletion === undefined ? item : { content: undefined, payload: undefined };
  return {
    ...rest,
    content,
    payload,
    autoResponse: item.autoResponse === undefined ? undefined : { receipt: skipped, reaction: skipped },
  };
}

/** Whether the stored outcomes are exactly the ones a write tried to record. */
function sameOutcomes(
  stored: AutoResponseRecord | undefined,
  results: Partial<Record<ResponseActionName, ActionRecord>>,
): boolean {
  if (stored === undefined) return false;
  return Object.entries(results).every(([action, result]) => {
    const recorded = action === 'receipt' ? stored.receipt : stored.reaction;
    return JSON.stringify(recorded) === JSON.stringify(result);
  });
}

function optionalStatus(status: string | undefined): MessageStatus | undefined {
  return status === undefined ? undefined : toMessageStatus(status);
}

function stringAttribute(item: Attributes | undefined, name: string): string | undefined {
  const value = item?.[name];
  return typeof value === 'string' ? value : undefined;
}

function setHas(value: unknown, member: string): boolean {
  return value instanceof Set && value.has(member);
}

function isoFromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
