/** fast-check arbitraries of every table item kind, shared by the codec and event property tests. */
import fc from 'fast-check';
import { HEALTH_ASPECTS, type HealthAspect, MESSAGE_CONTENT_KINDS } from '../../contracts';
import type {
  AccountHealthItem,
  ActionRecord,
  CallItem,
  ContractDriftItem,
  ConversationItem,
  CostTotalItem,
  CustomerAliasItem,
  FailureDigestItem,
  FlowHealthItem,
  HealthAlertItem,
  HealthAspectState,
  HealthHistoryEntry,
  MarketingPreferenceItem,
  MediaArchiveRecord,
  MessageItem,
  OrphanFailureItem,
  PhoneNumberHealthItem,
  PricedMessageItem,
  SendItem,
  SideEffectItem,
  TableItem,
  TemplateHealthItem,
  WebhookErrorItem,
} from '../../lambda/adapters/items';
import { skeletonOf } from '../../lambda/domain/drift';
import { KNOWN_STATUSES, type MessageContent, toMessageStatus } from '../../lambda/domain/model';
import { type MessageEdit, sortedEdits } from '../../lambda/domain/revisions';
import { contentArbitrary } from './content-arbitraries';

const text = fc.string({ maxLength: 30 });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
export const iso = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const count = fc.nat({ max: 1_000_000 });
const error = fc.record(
  { code: text, title: opt(text), message: opt(text), details: opt(text) },
  { requiredKeys: ['code'] },
);
const delivery = fc.record(
  {
    status: text,
    detailType: text,
    awsMessageId: opt(text),
    errors: fc.array(error, { maxLength: 2 }),
    eventId: text,
    occurredAt: opt(iso),
    recordedAt: iso,
  },
  { requiredKeys: ['status', 'detailType', 'errors', 'eventId', 'recordedAt'] },
);
const sendError = fc.record({ name: text, message: text });
export const action: fc.Arbitrary<ActionRecord> = fc.oneof(
  fc.record(
    {
      state: fc.constant('pending' as const),
      emoji: opt(text),
      address: opt(fc.oneof(fc.record({ to: text }), fc.record({ recipient: text }))),
    },
    { requiredKeys: ['state'] },
  ),
  fc.record({ state: fc.constant('skipped' as const), reason: text }),
  fc.record(
    {
      state: fc.constant('sent' as const),
      messageId: opt(text),
      at: iso,
      attempts: count,
      emoji: opt(text),
      delivery: opt(delivery),
    },
    { requiredKeys: ['state', 'at', 'attempts'] },
  ),
  fc.record(
    { state: fc.constant('failed' as const), error: sendError, at: iso, delivery: opt(delivery) },
    { requiredKeys: ['state', 'error', 'at'] },
  ),
  fc.record({ state: fc.constant('unknown' as const), error: sendError, at: iso }),
);
/** Content of every kind, derived from the kinds' one definition. */
export const content: fc.Arbitrary<MessageContent> = contentArbitrary(MESSAGE_CONTENT_KINDS);
const status = fc
  .oneof(fc.constantFrom(...KNOWN_STATUSES), fc.stringMatching(/^[a-z]{1,10}$/))
  .map(toMessageStatus);
export const historyEntry = fc.record(
  {
    status,
    at: iso,
    errors: opt(fc.array(error, { maxLength: 2 })),
    pricing: opt(fc.record({ pricingModel: opt(text), category: opt(text), type: opt(text) })),
    conversation: opt(fc.record({ id: opt(text), expiresAt: opt(count), originType: opt(text) })),
    snsMessageId: opt(text),
  },
  { requiredKeys: ['status', 'at'] },
);

export const mediaArchive: fc.Arbitrary<MediaArchiveRecord> = fc.oneof(
  fc.record({ state: fc.constant('fetching' as const), owner: text, expiresAtMs: count, at: iso }),
  fc.record(
    {
      state: fc.constant('archived' as const),
      bucket: text,
      keyPrefix: text,
      mimeType: opt(text),
      fileSizeKb: opt(count),
      archivedAt: iso,
      attempts: count,
    },
    { requiredKeys: ['state', 'bucket', 'keyPrefix', 'archivedAt', 'attempts'] },
  ),
  fc.record({
    state: fc.constant('failed' as const),
    error: fc.record({ name: text, message: text }),
    at: iso,
  }),
  fc.record({
    state: fc.constant('skipped' as const),
    reason: fc.constantFrom('unrouted' as const, 'no-media-id' as const, 'unknown-mime-type' as const),
    at: iso,
  }),
);

const edit: fc.Arbitrary<MessageEdit> = fc.record(
  {
    wamid: text,
    at: iso,
    editedType: opt(fc.constantFrom('text', 'image', 'video')),
    body: opt(text),
    snsMessageId: opt(text),
    recordedAt: opt(iso),
  },
  { requiredKeys: ['wamid', 'at'] },
);

export const message: fc.Arbitrary<MessageItem> = fc
  .record(
    {
      wamid: fc.string({ minLength: 1, maxLength: 40 }),
      direction: fc.constantFrom('inbound' as const, 'outbound' as const),
      businessPhoneNumberId: opt(text),
      type: opt(text),
      conversationKey: opt(text),
      customerKey: opt(text),
      customerPhone: opt(text),
      timestamp: opt(count),
      sentAt: opt(iso),
      routing: opt(fc.constantFrom('routed' as const, 'unmatched' as const, 'no-context' as const)),
      content: opt(content),
      forwarded: opt(fc.boolean()),
      referral: opt(fc.record({ sourceType: opt(text), sourceId: opt(text), ctwaClid: opt(text) })),
      errors: opt(fc.array(error, { maxLength: 2 })),
      payload: opt(text),
      receivedAt: opt(iso),
      expiresAt: count,
      autoResponse: opt(fc.record({ receipt: action, reaction: action })),
      claim: opt(fc.record({ owner: text, expiresAtMs: count })),
      receiptMessageId: opt(text),
      mediaArchive: opt(mediaArchive),
      status: opt(status),
      statusAt: opt(iso),
      // Read back oldest first.
      statusHistory: fc
        .uniqueArray(historyEntry, { maxLength: 4, selector: (h) => `${h.status}#${h.at}` })
        .map((h) => h.sort((a, b) => a.at.localeCompare(b.at) || a.status.localeCompare(b.status))),
      // Read back oldest first; an empty list is not stored.
      edits: opt(
        fc
          .uniqueArray(edit, { minLength: 1, maxLength: 3, selector: (e) => e.wamid })
          .map((edits) => sortedEdits(edits)),
      ),
      deletion: opt(
        fc.record({ wamid: text, at: iso, recordedAt: opt(iso) }, { requiredKeys: ['wamid', 'at'] }),
      ),
      sentFrom: opt(fc.constant('business-app' as const)),
      imported: opt(
        fc.record(
          { at: iso, phase: opt(fc.integer({ min: 0, max: 2 })), chunkOrder: opt(count), status: opt(text) },
          { requiredKeys: ['at'] },
        ),
      ),
      echoedAt: opt(iso),
      humanTakeoverUntil: opt(iso),
    },
    { requiredKeys: ['wamid', 'direction', 'expiresAt', 'statusHistory'] },
  )
  .map((m) => ({ entity: 'message' as const, ...m }));

export const conversation: fc.Arbitrary<ConversationItem> = fc
  .record(
    {
      conversationKey: text,
      businessPhoneNumberId: text,
      customerKey: text,
      customerPhone: opt(text),
      profileName: opt(fc.string({ unit: 'grapheme', maxLength: 20 })),
      lastInboundAt: opt(iso),
      humanTakeoverUntil: opt(iso),
      lastHumanReplyAt: opt(iso),
      lastHumanReplyWamid: opt(text),
      createdAt: opt(iso),
      customerParentUserId: opt(text),
      mergedInto: opt(text),
      identityChangedAt: opt(iso),
      mergedFrom: opt(fc.array(text, { maxLength: 3 })),
      inboundCount: count,
      expiresAt: count,
    },
    {
      requiredKeys: ['conversationKey', 'businessPhoneNumberId', 'customerKey', 'inboundCount', 'expiresAt'],
    },
  )
  .map((c) => ({ entity: 'conversation' as const, ...c }));

export const webhookError: fc.Arbitrary<WebhookErrorItem> = fc
  .record(
    {
      businessPhoneNumberId: text,
      occurredAt: iso,
      digest: fc.stringMatching(/^[0-9a-f]{16}$/),
      wabaId: text,
      snsMessageId: text,
      code: text,
      title: opt(text),
      details: opt(text),
      payload: text,
      recordedAt: iso,
      expiresAt: count,
    },
    {
      requiredKeys: [
        'businessPhoneNumberId',
        'occurredAt',
        'digest',
        'wabaId',
        'snsMessageId',
        'code',
        'payload',
        'recordedAt',
        'expiresAt',
      ],
    },
  )
  .map((e) => ({ entity: 'webhook-error' as const, ...e }));

export const orphan: fc.Arbitrary<OrphanFailureItem> = fc
  .record(
    {
      reason: fc.constantFrom('unknown-message-id' as const, 'missing-message-id' as const),
      failure: delivery,
      businessPhoneNumberId: opt(text),
      wabaId: opt(text),
      payload: text,
      expiresAt: count,
    },
    { requiredKeys: ['reason', 'failure', 'payload', 'expiresAt'] },
  )
  .map((o) => ({ entity: 'orphan-failure' as const, ...o }));

export const digest: fc.Arbitrary<FailureDigestItem> = fc
  .record(
    {
      windowStart: iso,
      windowEnd: iso,
      businessPhoneNumberId: text,
      displayPhoneNumber: opt(text),
      code: text,
      title: opt(text),
      count,
      firstAt: iso,
      lastAt: iso,
      notifiedCount: opt(count),
      expiresAt: count,
    },
    {
      requiredKeys: [
        'windowStart',
        'windowEnd',
        'businessPhoneNumberId',
        'code',
        'count',
        'firstAt',
        'lastAt',
        'expiresAt',
      ],
    },
  )
  .map((d) => ({ entity: 'failure-digest' as const, ...d }));

const aspectState: fc.Arbitrary<HealthAspectState> = fc.record(
  {
    event: text,
    at: iso,
    field: text,
    previous: opt(text),
    value: opt(text),
    reason: opt(text),
    detail: opt(text),
    severity: opt(text),
    restrictions: opt(
      fc.array(fc.record({ type: opt(text), expiration: opt(text) }, { requiredKeys: [] }), { maxLength: 2 }),
    ),
  },
  { requiredKeys: ['event', 'at', 'field'] },
);

const healthHistory = (aspects: readonly HealthAspect[]): fc.Arbitrary<HealthHistoryEntry[]> =>
  fc
    .uniqueArray(
      fc
        .tuple(aspectState, fc.constantFrom(...aspects), text, iso)
        .map(([state, aspect, snsMessageId, recordedAt]) => ({ ...state, aspect, snsMessageId, recordedAt })),
      { maxLength: 3, selector: (h) => `${h.aspect}#${h.event}#${h.at}` },
    )
    .map((h) => h.sort((a, b) => a.at.localeCompare(b.at) || a.aspect.localeCompare(b.aspect)));

const current = <A extends HealthAspect>(aspects: readonly A[]) =>
  fc.tuple(...aspects.map((aspect) => opt(aspectState).map((state) => [aspect, state] as const))).map(
    (pairs) =>
      Object.fromEntries(pairs.filter(([, state]) => state !== undefined)) as {
        [K in A]?: HealthAspectState;
      },
  );

export const templateHealth: fc.Arbitrary<TemplateHealthItem> = fc
  .record(
    {
      wabaId: text,
      templateId: text,
      templateName: opt(text),
      language: opt(text),
      current: current(HEALTH_ASPECTS.template),
      history: healthHistory(HEALTH_ASPECTS.template),
      updatedAt: iso,
    },
    { requiredKeys: ['wabaId', 'templateId', 'current', 'history', 'updatedAt'] },
  )
  .map((t) => ({ entity: 'template-health' as const, ...t }));

export const phoneNumberHealth: fc.Arbitrary<PhoneNumberHealthItem> = fc
  .record({
    wabaId: text,
    displayPhoneNumber: text,
    current: current(HEALTH_ASPECTS['phone-number']),
    history: healthHistory(HEALTH_ASPECTS['phone-number']),
    updatedAt: iso,
  })
  .map((n) => ({ entity: 'phone-number-health' as const, ...n }));

export const accountHealth: fc.Arbitrary<AccountHealthItem> = fc
  .record({
    wabaId: text,
    current: current(HEALTH_ASPECTS.account),
    history: healthHistory(HEALTH_ASPECTS.account),
    updatedAt: iso,
  })
  .map((a) => ({ entity: 'account-health' as const, ...a }));

export const flowHealth: fc.Arbitrary<FlowHealthItem> = fc
  .record(
    {
      wabaId: text,
      flowId: text,
      flowName: opt(text),
      current: current(HEALTH_ASPECTS.flow),
      history: healthHistory(HEALTH_ASPECTS.flow),
      updatedAt: iso,
    },
    { requiredKeys: ['wabaId', 'flowId', 'current', 'history', 'updatedAt'] },
  )
  .map((f) => ({ entity: 'flow-health' as const, ...f }));

export const marketingPreference: fc.Arbitrary<MarketingPreferenceItem> = fc
  .record(
    {
      conversationKey: text,
      businessPhoneNumberId: text,
      wabaId: text,
      category: text,
      customerKey: text,
      customerPhone: opt(text),
      customerUserId: opt(text),
      preference: fc.constantFrom('stop', 'resume'),
      preferenceAt: iso,
      detail: opt(text),
      history: fc
        .uniqueArray(
          fc.record({
            preference: fc.constantFrom('stop', 'resume'),
            at: iso,
            snsMessageId: text,
            recordedAt: iso,
          }),
          { maxLength: 3, selector: (h) => `${h.preference}#${h.at}` },
        )
        .map((h) => h.sort((a, b) => a.at.localeCompare(b.at) || a.preference.localeCompare(b.preference))),
      expiresAt: count,
    },
    {
      requiredKeys: [
        'conversationKey',
        'businessPhoneNumberId',
        'wabaId',
        'category',
        'customerKey',
        'preference',
        'preferenceAt',
        'history',
        'expiresAt',
      ],
    },
  )
  .map((p) => ({ entity: 'marketing-preference' as const, ...p }));

export const healthAlert: fc.Arbitrary<HealthAlertItem> = fc
  .record(
    {
      windowStart: iso,
      windowEnd: iso,
      wabaId: text,
      subjectKey: text,
      subject: text,
      aspect: fc.constantFrom(...HEALTH_ASPECTS.template, ...HEALTH_ASPECTS.account),
      event: text,
      severity: fc.constantFrom('critical' as const, 'warning' as const),
      headline: text,
      reason: opt(text),
      detail: opt(text),
      runbookSection: text,
      at: iso,
      count,
      notifiedCount: opt(count),
      expiresAt: count,
    },
    {
      requiredKeys: [
        'windowStart',
        'windowEnd',
        'wabaId',
        'subjectKey',
        'subject',
        'aspect',
        'event',
        'severity',
        'headline',
        'runbookSection',
        'at',
        'count',
        'expiresAt',
      ],
    },
  )
  .map((a) => ({ entity: 'health-alert' as const, ...a }));

const effectError = fc.record({ name: text, message: text });

export const sideEffect: fc.Arbitrary<SideEffectItem> = fc
  .record(
    {
      scope: text,
      effect: text,
      record: fc.oneof(
        fc.record({ owner: text, token: text, expiresAtMs: count, at: iso }).map((c) => ({
          state: 'in-progress' as const,
          ...c,
        })),
        fc
          .record({ at: iso, reference: opt(text), attempts: opt(count) }, { requiredKeys: ['at'] })
          .map((d) => ({ state: 'done' as const, ...d })),
        fc.record({
          state: fc.constantFrom('failed' as const, 'unknown' as const),
          at: iso,
          error: effectError,
        }),
      ),
      expiresAt: count,
    },
    { requiredKeys: ['scope', 'effect', 'expiresAt'] },
  )
  .map((e) => ({ entity: 'side-effect' as const, ...e }));

export const call: fc.Arbitrary<CallItem> = fc
  .record(
    {
      callId: text,
      businessPhoneNumberId: text,
      wabaId: opt(text),
      conversationKey: text,
      conversationSort: text,
      customerKey: text,
      customerPhone: opt(text),
      direction: opt(fc.constantFrom('inbound' as const, 'outbound' as const)),
      connectedAt: opt(iso),
      terminatedAt: opt(iso),
      terminateStatus: opt(fc.constantFrom('COMPLETED', 'FAILED', 'Completed')),
      startedAt: opt(iso),
      endedAt: opt(iso),
      durationSeconds: opt(fc.integer({ min: 0, max: 7200 })),
      errors: opt(fc.array(error, { maxLength: 2 })),
      // Read back oldest first.
      statuses: fc
        .uniqueArray(fc.record({ status: fc.constantFrom('RINGING', 'ACCEPTED', 'REJECTED'), at: iso }), {
          maxLength: 3,
          selector: (s) => `${s.status}#${s.at}`,
        })
        .map((s) => s.sort((a, b) => a.at.localeCompare(b.at) || a.status.localeCompare(b.status))),
      expiresAt: count,
    },
    {
      requiredKeys: [
        'callId',
        'businessPhoneNumberId',
        'conversationKey',
        'conversationSort',
        'customerKey',
        'statuses',
        'expiresAt',
      ],
    },
  )
  .map((c) => ({ entity: 'call' as const, ...c }));

export const contractDrift: fc.Arbitrary<ContractDriftItem> = fc
  .record(
    {
      kind: fc.constantFrom(
        'field' as const,
        'message-type' as const,
        'status' as const,
        'health-event' as const,
        'call-event' as const,
      ),
      name: text,
      shapeDigest: fc.stringMatching(/^[0-9a-f]{16}$/),
      shape: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(skeletonOf(value))),
      firstSeenAt: iso,
      wabaId: opt(text),
      snsMessageId: opt(text),
      expiresAt: count,
    },
    { requiredKeys: ['kind', 'name', 'shapeDigest', 'shape', 'firstSeenAt', 'expiresAt'] },
  )
  .map((d) => ({ entity: 'contract-drift' as const, ...d }));

export const customerAlias: fc.Arbitrary<CustomerAliasItem> = fc
  .record(
    {
      businessPhoneNumberId: text,
      identifier: text,
      identifierKind: fc.constantFrom('phone' as const, 'user-id' as const),
      customerKey: text,
      conversationKey: text,
      linkedAt: iso,
      linkedBy: fc.constantFrom('seen' as const, 'identity-change' as const, 'merge' as const),
      previousCustomerKey: opt(text),
      supersededAt: opt(iso),
      expiresAt: count,
    },
    {
      requiredKeys: [
        'businessPhoneNumberId',
        'identifier',
        'identifierKind',
        'customerKey',
        'conversationKey',
        'linkedAt',
        'linkedBy',
        'expiresAt',
      ],
    },
  )
  .map((a) => ({ entity: 'customer-alias' as const, ...a }));

export const send: fc.Arbitrary<SendItem> = fc
  .record(
    {
      sendId: text,
      awsMessageId: opt(text),
      kind: opt(
        fc.constantFrom('receipt' as const, 'reaction' as const, 'text' as const, 'template' as const),
      ),
      sentBy: opt(text),
      businessPhoneNumberId: opt(text),
      originationPhoneNumberId: opt(text),
      conversationKey: opt(text),
      inReplyTo: opt(text),
      requestedAt: opt(iso),
      acceptedAt: opt(iso),
      handedOverAt: opt(iso),
      sentAt: opt(iso),
      deliveredAt: opt(iso),
      readAt: opt(iso),
      failure: opt(
        fc.record(
          {
            origin: fc.constantFrom('api' as const, 'handover' as const, 'meta' as const),
            at: iso,
            code: opt(text),
            title: opt(text),
          },
          { requiredKeys: ['origin', 'at'] },
        ),
      ),
      failureRank: opt(text),
      unknownAt: opt(iso),
      error: opt(fc.record({ name: text, message: text })),
      stalledAt: opt(iso),
      stallClearedAt: opt(iso),
      stallPartition: opt(text),
      stallAt: opt(iso),
      expiresAt: count,
    },
    { requiredKeys: ['sendId', 'expiresAt'] },
  )
  .map((item) => ({ entity: 'send' as const, ...item }));

export const pricedMessage: fc.Arbitrary<PricedMessageItem> = fc
  .record({
    wamid: text,
    businessPhoneNumberId: text,
    category: text,
    pricingType: text,
    day: text,
    countedAt: iso,
    expiresAt: count,
  })
  .map((item) => ({ entity: 'priced-message' as const, ...item }));

export const costTotal: fc.Arbitrary<CostTotalItem> = fc
  .record(
    {
      businessPhoneNumberId: text,
      day: text,
      category: text,
      pricingType: text,
      billable: fc.boolean(),
      callingCode: opt(text),
      region: opt(text),
      messages: count,
      expiresAt: count,
    },
    {
      requiredKeys: [
        'businessPhoneNumberId',
        'day',
        'category',
        'pricingType',
        'billable',
        'messages',
        'expiresAt',
      ],
    },
  )
  .map((item) => ({ entity: 'cost-total' as const, ...item }));

export const anyItem: fc.Arbitrary<TableItem> = fc.oneof(
  message,
  conversation,
  webhookError,
  orphan,
  digest,
  templateHealth,
  phoneNumberHealth,
  accountHealth,
  flowHealth,
  marketingPreference,
  healthAlert,
  sideEffect,
  call,
  contractDrift,
  customerAlias,
  send,
  pricedMessage,
  costTotal,
);
