import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ConversationStore, InboundOutcome } from '../adapters/conversation-store';
import { decodeSnsEvent } from '../domain/decode';
import { asError, EventDecodeError } from '../domain/errors';
import type { DecodedNotification, InboundMessage } from '../domain/model';
import { STATUS_RANK } from '../domain/status';
import { type LoggerPort, type MetricsPort, pseudonym } from '../shared/observability';
import type { AutoResponder, Invocation } from './auto-responder';

/** What the inbound processor needs from the outside world. */
export interface InboundProcessorDeps {
  readonly store: Pick<ConversationStore, 'recordInbound' | 'recordStatus' | 'recordWebhookError'>;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  /** Sends read receipts and reactions. @default - none: messages are only recorded */
  readonly responder?: AutoResponder;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => number;
}

/** Time kept back from the invocation's budget to record outcomes after the last send. */
const RECORDING_RESERVE_MS = 3000;
/** Budget when there is no Lambda context (local runs). */
const DEFAULT_BUDGET_MS = 30_000;

/** Some items of a notification could not be stored or answered; the invocation fails so that it is retried. */
export class ProcessingError extends Error {
  public override readonly name = 'ProcessingError';
}

/** Message types that get their own metric dimension; others are counted as `other`. */
const KNOWN_TYPES = new Set([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
  'unknown',
  'request_welcome',
]);

/**
 * Builds the SNS handler: decode everything first (a malformed notification stores nothing), then
 * record every message, status and error. Items are independent and idempotent, so they are
 * written concurrently; if any write fails the invocation throws and the retry redoes only what is
 * missing. A malformed notification also throws: after Lambda's retries its raw event lands in the
 * on-failure queue, where it can be inspected and redriven.
 */
export function createInboundHandler(deps: InboundProcessorDeps) {
  const { logger, metrics } = deps;
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
        notifications = decodeSnsEvent(event);
      } catch (error) {
        if (error instanceof EventDecodeError) {
          metrics.count('UndecodableEvents', 1, { name: 'reason', value: error.reason });
          logger.error('Event rejected: not a valid End User Messaging Social event', {
            reason: error.reason,
            error,
            snsMessageIds: snsMessageIdsOf(event),
          });
        }
        throw error;
      }
      for (const notification of notifications) {
        await processNotification(notification, deps, invocation);
      }
    } finally {
      metrics.flush();
    }
  };
}

async function processNotification(
  notification: DecodedNotification,
  deps: InboundProcessorDeps,
  invocation: Invocation,
): Promise<void> {
  const { store, logger, metrics } = deps;
  logger.appendKeys({ snsMessageId: notification.snsMessageId });
  try {
    const results = await Promise.allSettled([
      ...notification.messages.map((message) => handleMessage(message, deps, invocation)),
      ...notification.statuses.map((status) => store.recordStatus(status)),
      ...notification.errors.map((error) => store.recordWebhookError(error, notification.publishedAt)),
    ]);

    countBy(
      notification.statuses,
      (s) => (s.status in STATUS_RANK ? s.status : 'other'),
      (value, n) => metrics.count('StatusUpdates', n, { name: 'status', value }),
    );
    for (const error of notification.errors) {
      logger.warn('WhatsApp reported a webhook-level error', {
        code: error.code,
        title: error.title,
        details: error.details,
      });
    }
    metrics.count('WebhookErrors', notification.errors.length);
    if (notification.skippedFields.length > 0) {
      logger.info('Skipped changes that are not message events', { fields: notification.skippedFields });
    }

    const failures = results.filter((r) => r.status === 'rejected').map((r) => asError(r.reason));
    if (failures.length > 0) {
      logger.error('Items could not be processed; the notification will be retried', {
        failed: failures.length,
        total: results.length,
        error: failures[0],
      });
      throw new ProcessingError(
        `${failures.length} of ${results.length} items of SNS message ${notification.snsMessageId} could not be processed`,
        { cause: failures.length === 1 ? failures[0] : new AggregateError(failures) },
      );
    }
    logger.info('Notification processed', {
      messages: notification.messages.length,
      statuses: notification.statuses.length,
      errors: notification.errors.length,
    });
  } finally {
    logger.removeKeys(['snsMessageId']);
  }
}

/** Records a message exactly once, then sends (or resumes) its auto-response. */
async function handleMessage(message: InboundMessage, deps: InboundProcessorDeps, invocation: Invocation) {
  const creation = deps.responder?.creationAttributes(message, invocation) ?? {};
  const outcome = await recordMessage(message, creation, deps);
  if (outcome.kind === 'created') {
    await deps.responder?.respondToNew(message, creation, invocation);
  } else {
    await deps.responder?.resume(message, outcome.existing, invocation);
  }
}

async function recordMessage(
  message: InboundMessage,
  creation: Readonly<Record<string, unknown>>,
  deps: InboundProcessorDeps,
): Promise<InboundOutcome> {
  const { store, logger, metrics } = deps;
  const outcome = await store.recordInbound(message, creation);
  const details = {
    wamid: message.wamid,
    type: message.type,
    customer: pseudonym(message.customer.key),
    routing: message.routing.kind,
  };
  if (outcome.kind === 'duplicate') {
    metrics.count('DuplicateMessages', 1);
    logger.info('Duplicate message: already recorded', details);
    return outcome;
  }
  metrics.count('InboundMessages', 1, {
    name: 'type',
    value: KNOWN_TYPES.has(message.type) ? message.type : 'other',
  });
  if (message.routing.kind !== 'routed') {
    metrics.count('UnroutedMessages', 1);
    logger.warn(
      'Message recorded but not routed to a phone number of this account; nothing will be sent',
      details,
    );
  } else {
    logger.info('Message recorded', details);
  }
  return outcome;
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
