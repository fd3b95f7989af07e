import { decodeSnsEvent } from '../lambda/domain/decode';
import { snsEventOf } from '../ops/sns-event';
import type { InvocationResult } from './bundle-host';
import type { EventOutcome, LocalPipeline } from './pipeline';

/** One item of a replay file: an event, or why it could not be read. */
export type ReplayItem =
  | { readonly position: string; readonly event: unknown }
  | { readonly position: string; readonly error: string };

/**
 * Reads a replay file: a JSON array of events, a single JSON event, or one JSON event per line
 * (blank lines and lines starting with # are skipped). A line that is not JSON becomes an error
 * item, so the rest of the file still runs.
 */
export function parseReplayFile(text: string): ReplayItem[] {
  const trimmed = text.trim();
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) return whole.map((event, i) => ({ position: `item ${i + 1}`, event }));
    return [{ position: 'item 1', event: whole }];
  } catch {
    // Not one JSON document: read it line by line.
  }
  return text.split('\n').flatMap((line, i): ReplayItem[] => {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) return [];
    try {
      return [{ position: `line ${i + 1}`, event: JSON.parse(content) }];
    } catch (error) {
      return [
        {
          position: `line ${i + 1}`,
          error: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
        },
      ];
    }
  });
}

/** What kind of event an item is, by its shape. */
export function classifyEvent(event: unknown): 'sns-event' | 'envelope' | 'eventbridge' | 'unknown' {
  if (typeof event !== 'object' || event === null) return 'unknown';
  if ('Records' in event) return 'sns-event';
  if ('detail-type' in event && 'detail' in event) return 'eventbridge';
  if ('whatsAppWebhookEntry' in event || 'whatsappWebhookEntry' in event) return 'envelope';
  return 'unknown';
}

/** The outcome of replaying one item. */
export interface ReplayOutcome {
  readonly position: string;
  readonly ok: boolean;
  readonly description: string;
  /** Keys of the customers whose conversations the event touched. */
  readonly customers?: readonly string[];
}

/**
 * Replays items in order: SNS events go to the processor as they are, envelopes are published to
 * the inbound topic, EventBridge events are put on the bus. A bad item is reported and skipped.
 */
export async function replay(
  pipeline: LocalPipeline,
  items: readonly ReplayItem[],
  onOutcome: (outcome: ReplayOutcome) => void = () => undefined,
): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  const push = (outcome: ReplayOutcome) => {
    outcomes.push(outcome);
    onOutcome(outcome);
  };
  const seen = new Set<string>();
  for (const item of items) {
    if ('error' in item) {
      push({ position: item.position, ok: false, description: item.error });
      continue;
    }
    const kind = classifyEvent(item.event);
    let result: InvocationResult | EventOutcome;
    switch (kind) {
      case 'sns-event':
        result = await pipeline.invokeProcessor(item.event);
        break;
      case 'envelope':
        result = await pipeline.publish(JSON.stringify(item.event));
        break;
      case 'eventbridge':
        result = await pipeline.putEvent(item.event);
        break;
      default:
        push({
          position: item.position,
          ok: false,
          description: 'neither an SNS event, an End User Messaging Social envelope nor an EventBridge event',
        });
        continue;
    }
    const described = describe(kind, result);
    const wamids = messageIdsOf(kind, item.event);
    const redelivery = described.ok && wamids.length > 0 && wamids.every((w) => seen.has(w));
    for (const wamid of wamids) seen.add(wamid);
    push({
      position: item.position,
      ...described,
      description: redelivery
        ? `${kind}: redelivery, recorded once, nothing sent again`
        : described.description,
      customers: customersOf(kind, item.event),
    });
  }
  return outcomes;
}

/** The notifications an event of a replay carries, decoded as the processor decodes them; none if it does not decode. */
function notificationsOf(kind: string, event: unknown) {
  try {
    if (kind === 'sns-event') return decodeSnsEvent(event);
    if (kind === 'envelope') return decodeSnsEvent(snsEventOf(JSON.stringify(event), 'replay'));
  } catch {
    // Reported by the processor's own outcome.
  }
  return [];
}

function messageIdsOf(kind: string, event: unknown): string[] {
  return notificationsOf(kind, event).flatMap((n) => n.messages.map((m) => m.wamid));
}

function customersOf(kind: string, event: unknown): string[] {
  return notificationsOf(kind, event).flatMap((n) => [
    ...n.messages.map((m) => m.customer.key),
    ...n.statuses.flatMap((s) => (s.recipient === undefined ? [] : [s.recipient.key])),
  ]);
}

function describe(
  kind: string,
  result: InvocationResult | EventOutcome,
): { ok: boolean; description: string } {
  if ('matched' in result) {
    if (!result.matched)
      return {
        ok: true,
        description: `${kind}: no rule matched (not a message failure nor a send's progress)`,
      };
    const recorder = result.recorder;
    return recorder?.ok
      ? {
          ok: true,
          description:
            recorder.result === 'progress'
              ? `${kind}: a send's progress, recorded in the send ledger`
              : `${kind}: failure recorded and counted for the alert digest (${String(recorder.result)})`,
        }
      : {
          ok: false,
          description: `${kind}: recorder failed: ${recorder?.error.name}: ${recorder?.error.message}`,
        };
  }
  return result.ok
    ? { ok: true, description: `${kind}: processed` }
    : { ok: false, description: `${kind}: ${result.error.name}: ${result.error.message}` };
}
