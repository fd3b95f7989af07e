/**
 * Which conversation events a committed change of the table publishes: a pure function of the
 * item before and after the write, so every event follows a durable record, and every change of
 * interest yields its events exactly as often as the stream delivers it.
 */

import * as z from 'zod/mini';
import {
  type AccountAspect,
  CONVERSATION_EVENT,
  CONVERSATION_EVENT_SCHEMA_VERSION,
  conversationKeyOf,
  ENTITY,
  type FlowAspect,
  failureOriginOf,
  type HealthAspect,
  type JsonValue,
  type PhoneNumberAspect,
  type TemplateAspect,
} from '../../contracts';
import type { ActionOutcome, ConversationEventEntry } from '../../events/schemas';
import {
  type ActionRecord,
  type CallItem,
  type CustomerAliasItem,
  type HealthAspectState,
  keyOf,
  type MessageItem,
  RESPONSE_ACTION_NAMES,
  type SendItem,
  type StatusHistoryEntry,
  type SubjectHealthItem,
  statusKeyOf,
  type TableItem,
} from '../adapters/items';
import type { RecordChange } from '../adapters/stream-records';
import { callOutcome } from '../domain/calls';
import { identityChangeOf } from '../domain/identity';
import { currentContent, latestEdit } from '../domain/revisions';
import { stateOf } from '../domain/send-ledger';
import { uuidShapedDigest } from '../shared/digest';

/** A change the publisher cannot turn into events: a record without what every event needs. */
export class UnmappableChangeError extends Error {
  public override readonly name = 'UnmappableChangeError';
}

/**
 * The events of one committed change, in the order they happened. An item kind with no events (a
 * conversation, a digest count) yields none.
 *
 * @param pipeline - the pipeline's name, carried by every event
 * @throws UnmappableChangeError when a message lacks its business number or conversation
 */
export function eventsOfChange(change: RecordChange, pipeline: string): ConversationEventEntry[] {
  const item = change.new;
  switch (item.entity) {
    case ENTITY.message:
      return messageEvents(item, change.old?.entity === ENTITY.message ? change.old : undefined, pipeline);
    case ENTITY.webhookError:
      if (change.old !== undefined) return [];
      return [
        {
          detailType: CONVERSATION_EVENT.webhookError,
          detail: {
            ...common(CONVERSATION_EVENT.webhookError, item, 'created', pipeline),
            businessPhoneNumberId: item.businessPhoneNumberId,
            occurredAt: item.occurredAt,
            wabaId: item.wabaId,
            code: item.code,
            title: item.title,
            message: item.message,
            details: item.details,
          },
        },
      ];
    case ENTITY.orphanFailure:
      if (change.old !== undefined) return [];
      return [
        {
          detailType: CONVERSATION_EVENT.messageFailed,
          detail: {
            ...common(CONVERSATION_EVENT.messageFailed, item, 'created', pipeline),
            businessPhoneNumberId: item.businessPhoneNumberId,
            occurredAt: item.failure.occurredAt ?? item.failure.recordedAt,
            origin: failureOriginOf(item.failure.detailType),
            matched: false,
            unmatchedReason: item.reason,
            awsMessageId: item.failure.awsMessageId,
            status: item.failure.status,
            errors: [...item.failure.errors],
          },
        },
      ];
    case ENTITY.templateHealth:
    case ENTITY.phoneNumberHealth:
    case ENTITY.accountHealth:
    case ENTITY.flowHealth:
      return healthEvents(item, change.old?.entity === item.entity ? change.old : undefined, pipeline);
    case ENTITY.marketingPreference: {
      const old = change.old?.entity === ENTITY.marketingPreference ? change.old : undefined;
      if (old?.preferenceAt === item.preferenceAt && old.preference === item.preference) return [];
      return [
        {
          detailType: CONVERSATION_EVENT.marketingPreferenceChanged,
          detail: {
            ...common(
              CONVERSATION_EVENT.marketingPreferenceChanged,
              item,
              `${item.preference}#${item.preferenceAt}`,
              pipeline,
            ),
            wabaId: item.wabaId,
            occurredAt: item.preferenceAt,
            businessPhoneNumberId: item.businessPhoneNumberId,
            conversationKey: item.conversationKey,
            customer: { key: item.customerKey, phone: item.customerPhone, userId: item.customerUserId },
            category: item.category,
            preference: item.preference,
            previousPreference: old?.preference,
          },
        },
      ];
    }
    case ENTITY.call:
      return callEvents(item, change.old?.entity === ENTITY.call ? change.old : undefined, pipeline);
    case ENTITY.contractDrift: {
      if (change.old !== undefined) return [];
      return [
        {
          detailType: CONVERSATION_EVENT.contractDriftDetected,
          detail: {
            ...common(CONVERSATION_EVENT.contractDriftDetected, item, 'detected', pipeline),
            wabaId: item.wabaId,
            occurredAt: item.firstSeenAt,
            kind: item.kind,
            name: item.name,
            shapeDigest: item.shapeDigest,
            shape: parseShape(item.shape),
          },
        },
      ];
    }
    case ENTITY.customerAlias:
      return mergeEvents(
        item,
        change.old?.entity === ENTITY.customerAlias ? change.old : undefined,
        pipeline,
      );
    case ENTITY.conversation:
    case ENTITY.failureDigest:
    case ENTITY.healthAlert:
    // A hook's reply is seen by the customer; its record is bookkeeping, like the claims it holds.
    case ENTITY.sideEffect:
    // Cost bookkeeping: read by inspect and counted in metrics, not published.
    case ENTITY.pricedMessage:
    case ENTITY.costTotal:
      return [];
    case ENTITY.send:
      return stallEvents(item, change.old?.entity === ENTITY.send ? change.old : undefined, pipeline);
  }
}

/**
 * `Message Stalled` when the stall watch flags a send, and again (`cleared`) when a report came
 * after all. A send's failure reaches the bus as `Message Failed` from the recorder's own records.
 */
function stallEvents(item: SendItem, old: SendItem | undefined, pipeline: string): ConversationEventEntry[] {
  const { businessPhoneNumberId, awsMessageId, stalledAt, kind } = item;
  // A send of no named number, or one nobody recorded, has no conversation to speak of.
  if (
    businessPhoneNumberId === undefined ||
    awsMessageId === undefined ||
    stalledAt === undefined ||
    kind === undefined
  )
    return [];
  const states = [
    ...(old?.stalledAt === undefined ? (['stalled'] as const) : []),
    ...(item.stallClearedAt !== undefined && old?.stallClearedAt === undefined ? (['cleared'] as const) : []),
  ];
  return states.map((state) => ({
    detailType: CONVERSATION_EVENT.messageStalled,
    detail: {
      ...common(CONVERSATION_EVENT.messageStalled, item, state, pipeline),
      businessPhoneNumberId,
      occurredAt: state === 'stalled' ? stalledAt : (item.stallClearedAt ?? stalledAt),
      state,
      awsMessageId,
      kind,
      sentBy: item.sentBy ?? 'unnamed',
      conversationKey: item.conversationKey,
      inReplyTo: item.inReplyTo,
      acceptedAt: item.acceptedAt,
      stalledAt,
      handedOver: item.handedOverAt !== undefined,
      ledgerState: stateOf(item),
    },
  }));
}

/**
 * `Customer Identity Changed` of kind `merged`, once per identifier a merge re-pointed: each says
 * which conversation joined which, so a subscriber merges its copy whichever it sees first.
 */
function mergeEvents(
  item: CustomerAliasItem,
  old: CustomerAliasItem | undefined,
  pipeline: string,
): ConversationEventEntry[] {
  const previous = item.previousCustomerKey;
  if (item.linkedBy !== 'merge' || previous === undefined || old?.customerKey === item.customerKey) return [];
  return [
    {
      detailType: CONVERSATION_EVENT.customerIdentityChanged,
      detail: {
        ...common(CONVERSATION_EVENT.customerIdentityChanged, item, `merged#${item.customerKey}`, pipeline),
        businessPhoneNumberId: item.businessPhoneNumberId,
        occurredAt: item.linkedAt,
        kind: 'merged',
        conversationKey: item.conversationKey,
        customer: {
          key: item.customerKey,
          ...(item.identifierKind === 'phone' ? { phone: item.identifier } : { userId: item.identifier }),
        },
        previousConversationKey: conversationKeyOf(item.businessPhoneNumberId, previous),
      },
    },
  ];
}

/**
 * One event per aspect whose current state moved: a change older than the stored state only
 * extends the history, and publishes nothing.
 */
function healthEvents(
  item: SubjectHealthItem,
  old: SubjectHealthItem | undefined,
  pipeline: string,
): ConversationEventEntry[] {
  const events: ConversationEventEntry[] = [];
  const aspects = Object.entries(item.current) as [HealthAspect, HealthAspectState][];
  for (const [aspect, state] of aspects) {
    const before = (old?.current as Partial<Record<HealthAspect, HealthAspectState>> | undefined)?.[aspect];
    if (before?.at === state.at && before.event === state.event) continue;
    const change = {
      wabaId: item.wabaId,
      occurredAt: state.at,
      field: state.field,
      event: state.event,
      previousEvent: before?.event,
      previous: state.previous,
      value: state.value,
      reason: state.reason,
      detail: state.detail,
      severity: state.severity,
      restrictions: state.restrictions === undefined ? undefined : [...state.restrictions],
    };
    const id = `${aspect}#${state.event}#${state.at}`;
    switch (item.entity) {
      case ENTITY.templateHealth:
        events.push({
          detailType: CONVERSATION_EVENT.templateStatusChanged,
          detail: {
            ...common(CONVERSATION_EVENT.templateStatusChanged, item, id, pipeline),
            ...change,
            templateId: item.templateId,
            templateName: item.templateName,
            language: item.language,
            aspect: aspect as TemplateAspect,
          },
        });
        break;
      case ENTITY.phoneNumberHealth:
        events.push({
          detailType: CONVERSATION_EVENT.phoneNumberQualityChanged,
          detail: {
            ...common(CONVERSATION_EVENT.phoneNumberQualityChanged, item, id, pipeline),
            ...change,
            displayPhoneNumber: item.displayPhoneNumber,
            aspect: aspect as PhoneNumberAspect,
          },
        });
        break;
      case ENTITY.accountHealth:
        events.push({
          detailType: CONVERSATION_EVENT.accountStatusChanged,
          detail: {
            ...common(CONVERSATION_EVENT.accountStatusChanged, item, id, pipeline),
            ...change,
            aspect: aspect as AccountAspect,
          },
        });
        break;
      case ENTITY.flowHealth:
        events.push({
          detailType: CONVERSATION_EVENT.flowStatusChanged,
          detail: {
            ...common(CONVERSATION_EVENT.flowStatusChanged, item, id, pipeline),
            ...change,
            flowId: item.flowId,
            flowName: item.flowName,
            aspect: aspect as FlowAspect,
          },
        });
        break;
    }
  }
  return events;
}

function messageEvents(item: MessageItem, old: MessageItem | undefined, pipeline: string) {
  const events: ConversationEventEntry[] = [];
  const business = item.businessPhoneNumberId;
  if (business === undefined) {
    throw new UnmappableChangeError('A message record has no business number');
  }

  const customer =
    item.customerKey === undefined
      ? undefined
      : { key: item.customerKey, phone: item.customerPhone, userId: item.customerUserId };
  const content = currentContent(item.content, item.edits ?? [], item.deletion);
  // A message deleted before it was recorded is published as deleted, never as received.
  const received =
    item.direction === 'inbound' &&
    item.receivedAt !== undefined &&
    old?.receivedAt === undefined &&
    item.deletion === undefined;
  const revised = revisionsAdded(item, old);
  const conversationKey = item.conversationKey;
  if ((received || revised) && (conversationKey === undefined || customer === undefined)) {
    throw new UnmappableChangeError('An inbound message record has no conversation');
  }
  if (received && conversationKey !== undefined && customer !== undefined) {
    events.push({
      detailType: CONVERSATION_EVENT.messageReceived,
      detail: {
        ...common(CONVERSATION_EVENT.messageReceived, item, 'received', pipeline),
        businessPhoneNumberId: business,
        occurredAt: item.sentAt ?? item.receivedAt,
        wamid: item.wamid,
        conversationKey,
        customer,
        groupId: item.groupId,
        displayPhoneNumber: item.displayPhoneNumber,
        wabaId: item.wabaId,
        type: item.type ?? 'unknown',
        // What it says now: an edit may have arrived first.
        content: content ?? { kind: 'other' },
        replyTo: item.replyTo,
        forwarded: item.forwarded,
        frequentlyForwarded: item.frequentlyForwarded,
        referral: item.referral,
        errors: item.errors === undefined ? undefined : [...item.errors],
        routing: {
          kind: item.routing ?? 'no-context',
          originationPhoneNumberId: item.originationPhoneNumberId,
        },
        autoResponse:
          item.autoResponse === undefined
            ? undefined
            : {
                receipt: outcomeOf(item.autoResponse.receipt),
                reaction: outcomeOf(item.autoResponse.reaction),
              },
      },
    });
  }

  if (received && conversationKey !== undefined && customer !== undefined) {
    const flow = flowAnswers(content);
    if (flow !== undefined) {
      events.push({
        detailType: CONVERSATION_EVENT.flowCompleted,
        detail: {
          ...common(CONVERSATION_EVENT.flowCompleted, item, 'flow-completed', pipeline),
          businessPhoneNumberId: business,
          occurredAt: item.sentAt ?? item.receivedAt ?? '',
          wamid: item.wamid,
          conversationKey,
          customer,
          groupId: item.groupId,
          ...flow,
          replyTo: item.replyTo,
        },
      });
    }
  }
  const identityChange =
    received && customer !== undefined && item.content !== undefined
      ? identityChangeOf({ content: item.content, customer })
      : undefined;
  if (identityChange !== undefined && conversationKey !== undefined && customer !== undefined) {
    events.push({
      detailType: CONVERSATION_EVENT.customerIdentityChanged,
      detail: {
        ...common(CONVERSATION_EVENT.customerIdentityChanged, item, 'identity-changed', pipeline),
        businessPhoneNumberId: business,
        occurredAt: item.sentAt ?? item.receivedAt ?? '',
        kind: identityChange.kind,
        conversationKey,
        customer,
        previous: identityChange.kind === 'security-code' ? undefined : identityChange.previous,
        next: identityChange.kind === 'security-code' ? undefined : identityChange.next,
        wamid: item.wamid,
      },
    });
  }
  if (revised && conversationKey !== undefined && customer !== undefined) {
    events.push(...revisionEvents(item, old, { business, conversationKey, customer }, content, pipeline));
  }

  if (item.sentFrom === 'business-app' && item.echoedAt !== undefined && old?.echoedAt === undefined) {
    if (conversationKey === undefined || customer === undefined) {
      throw new UnmappableChangeError('An echo of the WhatsApp Business app has no conversation');
    }
    events.push({
      detailType: CONVERSATION_EVENT.humanReplied,
      detail: {
        ...common(CONVERSATION_EVENT.humanReplied, item, 'human-replied', pipeline),
        businessPhoneNumberId: business,
        occurredAt: item.sentAt ?? item.echoedAt,
        wamid: item.wamid,
        conversationKey,
        customer,
        type: item.type ?? 'unknown',
        content: item.content ?? { kind: 'other' },
        humanTakeoverUntil: item.humanTakeoverUntil,
      },
    });
  }

  const recipient = customer;
  // Each status joins the history once, so a new entry is a status seen for the first time.
  const seen = new Set((old?.statusHistory ?? []).map((h) => statusKeyOf(h.status, h.at)));
  const added = item.statusHistory.filter((h) => !seen.has(statusKeyOf(h.status, h.at)));
  for (const entry of added.filter((h) => h.status === 'failed')) {
    events.push({
      detailType: CONVERSATION_EVENT.messageFailed,
      detail: {
        ...common(
          CONVERSATION_EVENT.messageFailed,
          item,
          `status#${statusKeyOf(entry.status, entry.at)}`,
          pipeline,
        ),
        businessPhoneNumberId: business,
        occurredAt: entry.at,
        origin: 'status',
        matched: true,
        wamid: item.wamid,
        conversationKey: item.conversationKey,
        status: entry.status,
        errors: [...(entry.errors ?? [])],
      },
    });
  }

  if (item.status !== undefined && item.status !== old?.status) {
    const entry = currentEntry(item);
    const at = item.statusAt ?? entry?.at;
    if (at === undefined) throw new UnmappableChangeError('A message record has a status without its time');
    events.push({
      detailType: CONVERSATION_EVENT.messageStatusChanged,
      detail: {
        ...common(CONVERSATION_EVENT.messageStatusChanged, item, `${item.status}#${at}`, pipeline),
        businessPhoneNumberId: business,
        occurredAt: at,
        wamid: item.wamid,
        direction: item.direction,
        conversationKey: item.conversationKey,
        recipient: item.direction === 'outbound' ? recipient : undefined,
        previousStatus: old?.status,
        status: item.status,
        errors: entry?.errors === undefined ? undefined : [...entry.errors],
        pricing: entry?.pricing,
        conversation: entry?.conversation,
      },
    });
  }

  for (const action of RESPONSE_ACTION_NAMES) {
    const delivery = deliveryOf(item.autoResponse?.[action]);
    if (delivery === undefined || delivery.eventId === deliveryOf(old?.autoResponse?.[action])?.eventId) {
      continue;
    }
    events.push({
      detailType: CONVERSATION_EVENT.messageFailed,
      detail: {
        ...common(CONVERSATION_EVENT.messageFailed, item, `delivery#${action}#${delivery.eventId}`, pipeline),
        businessPhoneNumberId: business,
        occurredAt: delivery.occurredAt ?? delivery.recordedAt,
        origin: failureOriginOf(delivery.detailType),
        matched: true,
        wamid: item.wamid,
        conversationKey: item.conversationKey,
        action,
        awsMessageId: delivery.awsMessageId,
        status: delivery.status,
        errors: [...delivery.errors],
      },
    });
  }

  const archive = item.mediaArchive;
  if (
    archive?.state === 'archived' &&
    old?.mediaArchive?.state !== 'archived' &&
    item.conversationKey !== undefined &&
    item.content?.kind === 'media'
  ) {
    events.push({
      detailType: CONVERSATION_EVENT.mediaArchived,
      detail: {
        ...common(CONVERSATION_EVENT.mediaArchived, item, 'archived', pipeline),
        businessPhoneNumberId: business,
        occurredAt: archive.archivedAt,
        wamid: item.wamid,
        conversationKey: item.conversationKey,
        mediaType: item.content.mediaType,
        bucket: archive.bucket,
        keyPrefix: archive.keyPrefix,
        mimeType: archive.mimeType,
        fileSizeKb: archive.fileSizeKb,
      },
    });
  }

  const plan = item.autoResponse;
  if (plan !== undefined && item.conversationKey !== undefined && !hasPending(item) && hasPending(old)) {
    events.push({
      detailType: CONVERSATION_EVENT.autoResponseCompleted,
      detail: {
        ...common(CONVERSATION_EVENT.autoResponseCompleted, item, 'completed', pipeline),
        businessPhoneNumberId: business,
        occurredAt: latestActionTime(plan.receipt, plan.reaction) ?? item.receivedAt ?? item.sentAt ?? '',
        wamid: item.wamid,
        conversationKey: item.conversationKey,
        receipt: outcomeOf(plan.receipt),
        reaction: outcomeOf(plan.reaction),
      },
    });
  }
  return events;
}

const jsonValueSchema = z.json();

/** A stored skeleton as JSON data; a record written by hand that is not JSON says so. */
function parseShape(shape: string): JsonValue {
  const parsed = jsonValueSchema.safeParse(safeJson(shape));
  return parsed.success ? parsed.data : 'unreadable';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Call Completed` or `Call Missed` once, when the call's end is recorded. */
function callEvents(item: CallItem, old: CallItem | undefined, pipeline: string): ConversationEventEntry[] {
  if (item.terminatedAt === undefined || old?.terminatedAt !== undefined) return [];
  const outcome = callOutcome({
    direction: item.direction,
    terminateStatus: item.terminateStatus,
    durationSeconds: item.durationSeconds,
    statuses: item.statuses.map((s) => s.status),
  });
  const detail = {
    businessPhoneNumberId: item.businessPhoneNumberId,
    occurredAt: item.endedAt ?? item.terminatedAt,
    callId: item.callId,
    conversationKey: item.conversationKey,
    customer: { key: item.customerKey, phone: item.customerPhone },
    direction: item.direction,
    startedAt: item.startedAt,
    endedAt: item.endedAt,
    durationSeconds: item.durationSeconds,
  };
  switch (outcome) {
    case 'completed':
      return [
        {
          detailType: CONVERSATION_EVENT.callCompleted,
          detail: {
            ...common(CONVERSATION_EVENT.callCompleted, item, 'ended', pipeline),
            ...detail,
            outcome,
          },
        },
      ];
    case 'missed':
    case 'rejected':
    case 'failed':
      return [
        {
          detailType: CONVERSATION_EVENT.callMissed,
          detail: {
            ...common(CONVERSATION_EVENT.callMissed, item, 'ended', pipeline),
            ...detail,
            outcome,
            errors: item.errors === undefined ? undefined : [...item.errors],
          },
        },
      ];
    case 'in-progress':
      return [];
  }
}

/** A Flow's answers, when the content is a completed Flow (`nfm_reply` named `flow`). */
function flowAnswers(content: MessageItem['content']) {
  if (content?.kind !== 'interactive' || content.replyType !== 'nfm_reply' || content.flowName !== 'flow') {
    return undefined;
  }
  return { flowToken: content.flowToken, response: content.response, responseJson: content.responseJson };
}

/** Whether a change added an edit or a deletion to a message. */
function revisionsAdded(item: MessageItem, old: MessageItem | undefined): boolean {
  const before = new Set((old?.edits ?? []).map((e) => e.wamid));
  return (
    (item.deletion !== undefined && old?.deletion === undefined) ||
    (item.edits ?? []).some((e) => !before.has(e.wamid))
  );
}

/**
 * `Message Edited` for each edit the change added, and `Message Deleted` for a new tombstone. An
 * edit is published once, by its own wamid, whatever the order it arrived in; `latest` says
 * whether it is what the message says now.
 */
function revisionEvents(
  item: MessageItem,
  old: MessageItem | undefined,
  where: {
    readonly business: string;
    readonly conversationKey: string;
    readonly customer: { key: string; phone?: string; userId?: string };
  },
  content: MessageItem['content'],
  pipeline: string,
): ConversationEventEntry[] {
  const { business, conversationKey, customer } = where;
  const events: ConversationEventEntry[] = [];
  const before = new Set((old?.edits ?? []).map((e) => e.wamid));
  const edits = item.edits ?? [];
  const latest = latestEdit(edits);
  for (const edit of edits.filter((e) => !before.has(e.wamid))) {
    events.push({
      detailType: CONVERSATION_EVENT.messageEdited,
      detail: {
        ...common(CONVERSATION_EVENT.messageEdited, item, `edit#${edit.wamid}`, pipeline),
        businessPhoneNumberId: business,
        occurredAt: edit.at,
        wamid: item.wamid,
        editWamid: edit.wamid,
        conversationKey,
        customer,
        groupId: item.groupId,
        editedType: edit.editedType,
        body: edit.body,
        latest: edit === latest,
        content,
      },
    });
  }
  if (item.deletion !== undefined && old?.deletion === undefined) {
    events.push({
      detailType: CONVERSATION_EVENT.messageDeleted,
      detail: {
        ...common(CONVERSATION_EVENT.messageDeleted, item, 'deleted', pipeline),
        businessPhoneNumberId: business,
        occurredAt: item.deletion.at,
        wamid: item.wamid,
        conversationKey,
        customer,
        groupId: item.groupId,
      },
    });
  }
  return events;
}

/** The fields every event has, with its stable id. */
function common(detailType: string, item: TableItem, change: string, pipeline: string) {
  return {
    schemaVersion: CONVERSATION_EVENT_SCHEMA_VERSION,
    eventId: eventIdOf(detailType, item, change),
    pipeline,
  };
}

/**
 * A stable id for dedupe: a digest of the detail-type, the record's key and the change, shaped as a
 * UUID. The same change always gets the same id (a redelivered stream record, a republished
 * batch); it reveals nothing of the record without its key.
 */
export function eventIdOf(detailType: string, item: TableItem, change: string): string {
  const { pk, sk } = keyOf(item);
  return uuidShapedDigest(`${detailType}\n${pk}\n${sk}\n${change}`);
}

function outcomeOf(record: ActionRecord): ActionOutcome {
  switch (record.state) {
    case 'pending':
      return { state: 'pending' };
    case 'skipped':
      return { state: 'skipped', reason: record.reason };
    case 'sent':
      return { state: 'sent', messageId: record.messageId };
    case 'failed':
    case 'unknown':
      return { state: record.state, errorName: record.error.name };
  }
}

function deliveryOf(record: ActionRecord | undefined) {
  return record?.state === 'sent' || record?.state === 'failed' ? record.delivery : undefined;
}

function hasPending(item: MessageItem | undefined): boolean {
  const plan = item?.autoResponse;
  return plan !== undefined && RESPONSE_ACTION_NAMES.some((action) => plan[action].state === 'pending');
}

function latestActionTime(...records: ActionRecord[]): string | undefined {
  const times = records.flatMap((r) => ('at' in r ? [r.at] : []));
  return times.sort().at(-1);
}

function currentEntry(item: MessageItem): StatusHistoryEntry | undefined {
  return item.statusHistory.find((h) => h.status === item.status && h.at === item.statusAt);
}
