import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DIMENSION, isSilentType, METRIC, OTHER_DIMENSION_VALUE } from '../../contracts';
import {
  type ConversationStore,
  type InboundOutcome,
  isRevision,
  type NewAutoResponse,
  type RevisionMessage,
} from '../adapters/conversation-store';
import type { CostStore } from '../adapters/cost-store';
import type { DriftStore } from '../adapters/drift-store';
import type { EffectKey } from '../adapters/effect-store';
import type { HealthStore } from '../adapters/health-store';
import type { IdentityStore } from '../adapters/identity-store';
import type { WhatsAppSender } from '../adapters/whatsapp-sender';
import { type DecodedHealthChange, type HealthChange, isSubjectChange } from '../domain/account-health';
import { callOutcome } from '../domain/calls';
import { pricedMessageOf } from '../domain/cost';
import { decodeSnsEvent, KNOWN_CALL_EVENTS } from '../domain/decode';
import type { DriftSample } from '../domain/drift';
import { asError, EventDecodeError } from '../domain/errors';
import { identityChangeOf } from '../domain/identity';
import { MESSAGE_TYPE_REGISTRY, type MessageTypeRegistry, typeDimension } from '../domain/message-types';
import {
  type CallEvent,
  type DecodedNotification,
  type EchoMessage,
  type InboundMessage,
  isKnownStatus,
  type StatusUpdate,
} from '../domain/model';
import type { EffectLedger } from '../shared/exactly-once';
import type { LoggerPort, MetricsPort } from '../shared/observability';
import { loggableError, type Pseudonymizer, type PseudonymSource, scrub } from '../shared/privacy';
import {
  checkedHooks,
  hookOnce,
  type Invocation,
  type MessageHook,
  type MessageHookContext,
  replyContext,
  replySender,
} from './hooks';
import { resolveCustomers } from './identities';

/** What the inbound processor needs from the outside world. */
export interface InboundProcessorDeps {
  readonly store: Pick<
    ConversationStore,
    | 'recordInbound'
    | 'recordRevision'
    | 'recordEcho'
    | 'recordHistory'
    | 'recordCall'
    | 'recordStatus'
    | 'recordWebhookError'
  >;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  /** Keyed pseudonyms for log lines; loaded once per execution environment. */
  readonly pseudonyms: PseudonymSource;
  /**
   * What runs for each recorded message before the handler returns, in order of registration (the
   * AutoResponder is one). @default [] - messages are only recorded
   */
  readonly hooks?: readonly MessageHook[];
  /** Gives hooks a {@link MessageHookContext.send}. @default - none: hooks cannot send */
  readonly sender?: Pick<WhatsAppSender, 'send'>;
  /**
   * Where hooks' replies and `once` effects are recorded (an EffectStore on the conversation table).
   * @default - none: a hook's `reply` or `once` fails with HookEffectsUnavailableError
   */
  readonly effects?: EffectLedger<EffectKey>;
  /**
   * Records account-health changes (templates, numbers, the account, marketing preferences).
   * @default - none: health changes are counted as skipped, and not recorded
   */
  readonly health?: Pick<HealthStore, 'recordChange' | 'recordPreference'>;
  /**
   * Stores each shape this code does not know yet once, for `npm run drift`.
   * @default - none: drift is counted, not stored
   */
  readonly drift?: Pick<DriftStore, 'record'>;
  /**
   * Resolves every customer to their one conversation, whichever identifier (phone number or
   * business-scoped user id) a record names, and applies the identity changes Meta reports.
   * @default - none: a customer is keyed by the BSUID when Meta sends one, else the phone number,
   * as each record names them
   */
  readonly identities?: Pick<IdentityStore, 'resolve' | 'applyChange'>;
  /**
   * Counts each priced message once per category and day, from its statuses' `pricing` (docs/cost.md).
   * @default - none: prices are kept in the status history only
   */
  readonly costs?: Pick<CostStore, 'count'>;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => number;
  /** The message types to decode. @default MESSAGE_TYPE_REGISTRY */
  readonly registry?: MessageTypeRegistry;
}

/** Time kept back from the invocation's budget to record outcomes after the last send. */
const RECORDING_RESERVE_MS = 3000;
/** Budget when there is no Lambda context (local runs). */
const DEFAULT_BUDGET_MS = 30_000;

/** A hook asked for an exactly-once effect, and the processor was built without a ledger. */
export class HookEffectsUnavailableError extends Error {
  public override readonly name = 'HookEffectsUnavailableError';
}

/** Some items of a notification could not be stored or answered; the invocation fails so that it is retried. */
export class ProcessingError extends Error {
  public override readonly name = 'ProcessingError';
}

/**
 * Builds the SNS handler: decode everything first (a malformed notification stores nothing), then
 * record every message, status and error. Items are independent and idempotent, so they are
 * written concurrently; if any write fails the invocation throws and the retry redoes only what is
 * missing. A malformed notification also throws: after Lambda's retries its raw event lands in the
 * on-failure queue, where it can be inspected and redriven.
 */
export function createInboundHandler(deps: InboundProcessorDeps) {
  const { logger, metrics } = deps;
  const hooks = checkedHooks(deps.hooks ?? []);
  const clock = deps.clock ?? Date.now;
  return async (event: unknown, context?: Context): Promise<void> => {
    const now = clock();
    const end = now + (context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS);
    const invocation: Invocation = {
      id: context?.awsRequestId ?? randomUUID(),
      end,
      deadline: Math.max(now, end - RECORDING_RESERVE_MS),
    };
    try {
      let notifications: DecodedNotification[];
      try {
        notifications = decodeSnsEvent(event, deps.registry ?? MESSAGE_TYPE_REGISTRY);
      } catch (error) {
        if (error instanceof EventDecodeError) {
          metrics.count(METRIC.undecodableEvents, 1, { name: DIMENSION.reason, value: error.reason });
          logger.error('Event rejected: not a valid End User Messaging Social event', {
            reason: error.reason,
            error: loggableError(error),
            snsMessageIds: snsMessageIdsOf(event),
          });
        }
        throw error;
      }
      // Loaded on the first invocation of an environment; later ones reuse it with no request.
      const pseudonyms = await deps.pseudonyms();
      for (const notification of notifications) {
        await processNotification(notification, { ...deps, hooks }, invocation, pseudonyms);
      }
    } finally {
      metrics.flush();
    }
  };
}

async function processNotification(
  decoded: DecodedNotification,
  deps: InboundProcessorDeps,
  invocation: Invocation,
  pseudonyms: Pseudonymizer,
): Promise<void> {
  const { store, logger, metrics } = deps;
  logger.appendKeys({ snsMessageId: decoded.snsMessageId });
  try {
    const notification = await resolvedNotification(decoded, deps);
    const results = await Promise.allSettled([
      ...firstOccurrences(notification.messages).map((message) =>
        isRevision(message)
          ? handleRevision(message, deps, pseudonyms)
          : handleMessage(message, deps, invocation, pseudonyms),
      ),
      ...notification.echoes.map((echo) => handleEcho(echo, deps, pseudonyms)),
      // The app's chat history: kept as it happened, never answered, never a `Message Received`.
      ...notification.history.map((message) => store.recordHistory(message)),
      // A call is recorded on the conversation, never answered with a message.
      ...notification.calls.map((call) => handleCall(call, deps, pseudonyms)),
      ...notification.statuses.map((status) => handleStatus(status, deps)),
      ...notification.errors.map((error) => store.recordWebhookError(error, notification.publishedAt)),
      ...notification.health.map((change) => handleHealthChange(change, deps, pseudonyms)),
      ...notification.drift.map((sample) => handleDrift(sample, notification, deps)),
    ]);

    countBy(
      notification.statuses,
      (s) => (isKnownStatus(s.status) ? s.status : OTHER_DIMENSION_VALUE),
      (value, n) => metrics.count(METRIC.statusUpdates, n, { name: DIMENSION.status, value }),
    );
    for (const error of notification.errors) {
      // Meta's own words can quote phone numbers.
      logger.warn('WhatsApp reported a webhook-level error', {
        code: error.code,
        title: error.title === undefined ? undefined : scrub(error.title),
        details: error.details === undefined ? undefined : scrub(error.details),
      });
    }
    metrics.count(METRIC.webhookErrors, notification.errors.length);
    if (notification.history.length > 0) {
      metrics.count(METRIC.historyMessages, notification.history.length);
      logger.info('Chat history of the WhatsApp Business app imported', {
        messages: notification.history.length,
      });
    }
    countBy(
      notification.appStateSync,
      (entry) => entry.action ?? OTHER_DIMENSION_VALUE,
      (value, n) => metrics.count(METRIC.appStateSyncEntries, n, { name: DIMENSION.action, value }),
    );
    countBy(
      notification.skippedFields,
      (field) => field,
      (value, n) => metrics.count(METRIC.skippedChanges, n, { name: DIMENSION.field, value }),
    );

    const failures = results.filter((r) => r.status === 'rejected').map((r) => asError(r.reason));
    if (failures.length > 0) {
      logger.error('Items could not be processed; the notification will be retried', {
        failed: failures.length,
        total: results.length,
        error: loggableError(failures[0]),
      });
      throw new ProcessingError(
        `${failures.length} of ${results.length} items of SNS message ${notification.snsMessageId} could not be processed`,
        { cause: failures.length === 1 ? failures[0] : new AggregateError(failures) },
      );
    }
    // Each message has its own INFO line; statuses, which outnumber messages several times, are
    // counted and kept in the table, and their trace is here at DEBUG (docs/runbook.md, "Logs").
    logger.debug('Notification processed', {
      messages: notification.messages.length,
      statuses: notification.statuses.length,
      errors: notification.errors.length,
      health: notification.health.length,
    });
  } finally {
    logger.removeKeys(['snsMessageId']);
  }
}

/**
 * Records a message exactly once, then runs every hook in order of registration: for a new record
 * `onRecorded`, for a redelivery `onRedelivered` (by default `onRecorded` again, whose effects are
 * exactly-once). Every hook runs even when one before it failed, so one hook's failure never makes
 * the retry skip another's work; then the message fails with every hook's error.
 */
async function handleMessage(
  message: InboundMessage,
  deps: InboundProcessorDeps,
  invocation: Invocation,
  pseudonyms: Pseudonymizer,
) {
  const hooks = deps.hooks ?? [];
  const planned = hooks.flatMap((hook) => {
    const plan = hook.plan?.(message, invocation);
    return plan === undefined ? [] : [plan];
  });
  const change = identityChangeOf(message);
  if (change !== undefined) {
    // Before the record: a retry after a failure between the two applies the change again, harmlessly.
    await deps.identities?.applyChange(
      message.source.businessPhoneNumberId,
      message.customer,
      change,
      new Date(message.timestamp * 1000).toISOString(),
    );
    deps.metrics.count(METRIC.identityChanges, 1, { name: DIMENSION.identityChangeKind, value: change.kind });
    deps.logger.info('Customer identity changed: the conversation follows the new identifiers', {
      customer: pseudonyms.customer(message.customer.key),
      kind: change.kind,
    });
  }
  const outcome = await recordMessage(message, planned[0], deps, pseudonyms);
  const record = outcome.kind === 'created' ? outcome.item : outcome.existing;
  // The customer deleted it before it was recorded: nobody expects an answer, from any hook. Nor
  // does a customer a person is answering from the WhatsApp Business app expect a bot to chime in.
  if (record.deletion !== undefined || record.humanTakeoverUntil !== undefined) return;
  const failures: { hook: string; error: Error }[] = [];
  for (const hook of hooks) {
    const context = hookContext(message, record, hook.name, deps, invocation);
    try {
      if (outcome.kind === 'created') await hook.onRecorded(context);
      else await (hook.onRedelivered ?? hook.onRecorded).call(hook, context);
    } catch (error) {
      failures.push({ hook: hook.name, error: asError(error) });
    }
  }
  if (failures.length === 1 && failures[0] !== undefined) throw failures[0].error;
  if (failures.length > 1) {
    throw new AggregateError(
      failures.map((f) => f.error),
      `Message hooks failed: ${failures.map((f) => f.hook).join(', ')}`,
    );
  }
}

function hookContext(
  message: InboundMessage,
  record: MessageHookContext['record'],
  hookName: string,
  deps: InboundProcessorDeps,
  invocation: Invocation,
): MessageHookContext {
  const clock = deps.clock ?? Date.now;
  const { routing } = message;
  const ledger = deps.effects;
  // Without a ledger, replies and `once` fail with this error; receipts and reactions still go.
  const once: MessageHookContext['once'] =
    ledger === undefined
      ? () =>
          Promise.reject(
            new HookEffectsUnavailableError(
              `Hook "${hookName}" needs an effect ledger for exactly-once effects; build the processor with effects`,
            ),
          )
      : hookOnce({ ledger, hookName, invocation, clock }, message);
  return {
    message,
    record,
    routing,
    invocation,
    remainingMs: () => Math.max(0, invocation.deadline - clock()),
    once,
    // A reply to a participant of a group would reach them alone, outside the group: none.
    // Nor is an edit, a deletion or an identity notice answered: a person does not expect it.
    send:
      deps.sender === undefined ||
      routing.kind !== 'routed' ||
      message.groupId !== undefined ||
      isSilentType(message.type)
        ? undefined
        : replySender(
            deps.sender,
            message,
            routing.originationPhoneNumberId,
            invocation.deadline,
            once,
            replyContext(`hook:${hookName}`, message, record),
          ),
  };
}

/**
 * Records a status, then counts the message in its price category if the status says one: both
 * idempotent, so a redelivery or a reordered status counts nothing twice. No metric here: a
 * dimension per category would add an EMF document to every first status (docs/cost.md).
 */
async function handleStatus(status: StatusUpdate, deps: InboundProcessorDeps) {
  const outcome = await deps.store.recordStatus(status);
  const priced = deps.costs === undefined ? undefined : pricedMessageOf(status);
  if (priced !== undefined) await deps.costs?.count(priced);
  return outcome;
}

/**
 * Counts a shape this code does not know yet and stores its skeleton once. Its name is Meta's word
 * (a field, type, status or event) and its skeleton holds no value, so both may be logged.
 */
async function handleDrift(
  sample: DriftSample,
  notification: DecodedNotification,
  deps: InboundProcessorDeps,
): Promise<void> {
  const { logger, metrics } = deps;
  metrics.count(METRIC.contractDrift, 1, { name: DIMENSION.driftKind, value: sample.kind });
  const outcome = await deps.drift?.record(sample, {
    snsMessageId: notification.snsMessageId,
    wabaId: notification.wabaId,
  });
  if (outcome === 'new') {
    logger.warn('A shape this pipeline does not know yet: its skeleton is stored (npm run drift)', {
      kind: sample.kind,
      name: sample.name,
    });
  }
}

/**
 * Records a call webhook on its call, and counts a call the customer placed that nobody took, per
 * business number: a missed call is a customer waiting for a call back.
 */
async function handleCall(call: CallEvent, deps: InboundProcessorDeps, pseudonyms: Pseudonymizer) {
  const { store, logger, metrics } = deps;
  const outcome = await store.recordCall(call);
  if (outcome.kind === 'duplicate') return;
  metrics.count(METRIC.callEvents, 1, { name: DIMENSION.type, value: knownCallEvent(call.event) });
  if (call.event !== 'terminate') return;
  const ended = callOutcome({
    direction: call.direction,
    terminateStatus: call.status,
    durationSeconds: call.durationSeconds,
    statuses: [],
  });
  if (ended === 'missed') {
    metrics.count(METRIC.missedCalls, 1, {
      name: DIMENSION.businessPhoneNumberId,
      value: call.source.businessPhoneNumberId,
    });
  }
  logger.info(ended === 'missed' ? 'Missed call recorded' : 'Call ended', {
    customer: pseudonyms.customer(call.customer.key),
    direction: call.direction,
    durationSeconds: call.durationSeconds,
  });
}

/** A call event as a metric dimension: Meta's words for the ones it documents, else `other`. */
function knownCallEvent(event: string): string {
  return KNOWN_CALL_EVENTS.includes(event) ? event : OTHER_DIMENSION_VALUE;
}

/**
 * Records a message a person sent from the WhatsApp Business app. It is the business's own message,
 * so nothing answers it; it pauses the conversation's bots, and the publisher turns it into
 * `Human Replied` so that bots on the bus can stand down too.
 */
async function handleEcho(echo: EchoMessage, deps: InboundProcessorDeps, pseudonyms: Pseudonymizer) {
  const { store, logger, metrics } = deps;
  const outcome = await store.recordEcho(echo);
  const details = {
    messageRef: pseudonyms.message(echo.wamid),
    type: echo.type,
    customer: pseudonyms.customer(echo.customer.key),
  };
  if (outcome.kind === 'duplicate') {
    metrics.count(METRIC.duplicateMessages, 1);
    logger.info('Duplicate echo: already recorded', details);
    return;
  }
  metrics.count(METRIC.humanReplies, 1);
  logger.info('A person replied from the WhatsApp Business app: bots pause in this conversation', {
    ...details,
    humanTakeoverUntil: outcome.humanTakeoverUntil,
  });
}

/**
 * Applies an edit or a deletion to the message it names. It is never answered (a person does not
 * expect an answer to editing or deleting a message), so no hook sees it; the publisher turns the
 * record's change into `Message Edited` or `Message Deleted`.
 */
async function handleRevision(
  revision: RevisionMessage,
  deps: InboundProcessorDeps,
  pseudonyms: Pseudonymizer,
): Promise<void> {
  const { store, logger, metrics } = deps;
  const outcome = await store.recordRevision(revision);
  const details = {
    messageRef: pseudonyms.message(revision.content.targetWamid),
    revisionRef: pseudonyms.message(revision.wamid),
    type: revision.type,
    customer: pseudonyms.customer(revision.customer.key),
    outcome: outcome.kind,
  };
  if (outcome.kind === 'duplicate') {
    metrics.count(METRIC.duplicateMessages, 1);
    logger.info('Duplicate revision: already recorded', details);
    return;
  }
  metrics.count(METRIC.inboundMessages, 1, {
    name: DIMENSION.type,
    value: typeDimension(deps.registry ?? MESSAGE_TYPE_REGISTRY, revision.type),
  });
  logger.info(
    outcome.kind === 'deleted'
      ? 'Edit of a deleted message: the deletion stands'
      : revision.content.kind === 'edit'
        ? 'Edit recorded on the message'
        : 'Deletion recorded on the message',
    details,
  );
}

/**
 * Records one account-health change and counts it: as the newest state, as history only (an older
 * change), or not at all (a redelivery). Alerts are queued for the digest by the store, in the
 * same write; the log line names the subject, never a customer.
 */
async function handleHealthChange(
  change: DecodedHealthChange,
  deps: InboundProcessorDeps,
  pseudonyms: Pseudonymizer,
): Promise<void> {
  const { health, logger, metrics } = deps;
  const field = { name: DIMENSION.field, value: change.field };
  if (health === undefined) {
    metrics.count(METRIC.skippedChanges, 1, field);
    return;
  }
  if (!change.knownEvent) metrics.count(METRIC.unknownHealthEvents, 1, field);
  const outcome = isSubjectChange(change)
    ? await health.recordChange(change)
    : await health.recordPreference(change);
  const details = isSubjectChange(change)
    ? { field: change.field, event: change.event, subject: subjectRef(change), outcome: outcome.kind }
    : {
        field: change.field,
        event: change.preference,
        customer: pseudonyms.customer(change.customer.key),
        outcome: outcome.kind,
      };
  switch (outcome.kind) {
    case 'recorded':
      metrics.count(METRIC.healthChanges, 1, field);
      if (isSubjectChange(change) && change.subject.kind !== 'account') {
        metrics.count(
          change.subject.kind === 'template' ? METRIC.templateHealthChanges : METRIC.phoneNumberHealthChanges,
          1,
          {
            name: DIMENSION.healthState,
            // Unknown events would make unbounded dimensions; they are counted under their own metric.
            value: change.knownEvent ? `${change.aspect}:${change.event}` : OTHER_DIMENSION_VALUE,
          },
        );
      }
      if (outcome.alert !== undefined) {
        metrics.count(METRIC.healthAlerts, 1, field);
        logger.warn('Account health change needs attention; queued for the alerts digest', {
          ...details,
          severity: outcome.alert.severity,
        });
      } else {
        logger.info('Account health change recorded', details);
      }
      return;
    case 'stale':
      metrics.count(METRIC.staleHealthChanges, 1, field);
      logger.info('Account health change older than the recorded state: kept in the history', details);
      return;
    case 'duplicate':
      logger.info('Account health change already recorded', details);
      return;
  }
}

/**
 * The subject of a change for logs. Logs carry no run of digits that could be a phone number, so
 * a template goes by its name and language, a number and an account by their last four digits;
 * `npm run inspect -- --health <wabaId>` shows the full record.
 */
function subjectRef(change: HealthChange): string {
  switch (change.subject.kind) {
    case 'template':
      return `template ${change.subject.templateName ?? 'unnamed'} (${change.subject.language ?? 'no language'})`;
    case 'phone-number':
      return `phone number ending ${change.subject.displayPhoneNumber.slice(-4)}`;
    case 'account':
      return `account ending ${change.wabaId.slice(-4)}`;
    case 'flow':
      return `flow ending ${change.subject.flowId.slice(-4)}`;
  }
}

/**
 * The messages of a notification with each wamid once, the first occurrence winning: Meta can put
 * the same message twice into one notification, and handling both concurrently would race.
 */
function firstOccurrences(messages: readonly InboundMessage[]): InboundMessage[] {
  const seen = new Set<string>();
  return messages.filter((message) => !seen.has(message.wamid) && seen.add(message.wamid) !== undefined);
}

async function recordMessage(
  message: InboundMessage,
  creation: NewAutoResponse | undefined,
  deps: InboundProcessorDeps,
  pseudonyms: Pseudonymizer,
): Promise<InboundOutcome> {
  const { store, logger, metrics } = deps;
  const outcome = await store.recordInbound(message, creation);
  const details = {
    messageRef: pseudonyms.message(message.wamid),
    type: message.type,
    customer: pseudonyms.customer(message.customer.key),
  };
  if (outcome.kind === 'duplicate') {
    metrics.count(METRIC.duplicateMessages, 1);
    logger.info('Duplicate message: already recorded', details);
    return outcome;
  }
  metrics.count(METRIC.inboundMessages, 1, {
    name: DIMENSION.type,
    value: typeDimension(deps.registry ?? MESSAGE_TYPE_REGISTRY, message.type),
  });
  if (outcome.item.humanTakeoverUntil !== undefined) {
    metrics.count(METRIC.humanTakeoverMessages, 1);
    logger.info('Message recorded while a person handles the conversation: no bot answers it', {
      ...details,
      humanTakeoverUntil: outcome.item.humanTakeoverUntil,
    });
  } else if (message.routing.kind !== 'routed') {
    metrics.count(METRIC.unroutedMessages, 1);
    logger.warn('Message recorded but not routed to a phone number of this account; nothing will be sent', {
      ...details,
      routing: message.routing.kind,
    });
  } else {
    logger.info('Message recorded', details);
  }
  return outcome;
}

/**
 * The notification with its customers resolved to their conversations; a failure to resolve fails
 * the notification before anything is written, so the retry starts clean.
 */
async function resolvedNotification(
  notification: DecodedNotification,
  deps: InboundProcessorDeps,
): Promise<DecodedNotification> {
  if (deps.identities === undefined) return notification;
  try {
    return await resolveCustomers(notification, deps.identities);
  } catch (error) {
    deps.logger.error('Customers could not be resolved; the notification will be retried', {
      error: loggableError(error),
    });
    throw new ProcessingError(
      `The customers of SNS message ${notification.snsMessageId} could not be resolved`,
      {
        cause: error,
      },
    );
  }
}

function countBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  emit: (value: string, n: number) => void,
): void {
  const counts = new Map<string, number>();
  for (const item of items) {
    const value = key(item);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  for (const [value, n] of counts) emit(value, n);
}

/** SNS message ids of an event that may be malformed, for correlating a rejected event in logs. */
function snsMessageIdsOf(event: unknown): string[] {
  if (typeof event !== 'object' || event === null || !('Records' in event) || !Array.isArray(event.Records)) {
    return [];
  }
  return event.Records.flatMap((record: unknown) => {
    const sns = typeof record === 'object' && record !== null && 'Sns' in record ? record.Sns : undefined;
    const id = typeof sns === 'object' && sns !== null && 'MessageId' in sns ? sns.MessageId : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}
