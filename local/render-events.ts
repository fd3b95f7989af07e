import type { BusEvent } from './eventbridge-api';
import type { SettleOutcome } from './pipeline';

/** One line per event published on the conversation bus, and per delivery to a subscriber. */
export function renderSettled(outcome: SettleOutcome): string {
  const lines = [`Conversation events published: ${outcome.published.length}`];
  for (const event of outcome.published) {
    lines.push(`  ${event['detail-type'].padEnd(24)} ${describe(event)}  id ${shortId(event)}`);
  }
  for (const delivery of outcome.deliveries) {
    // `…/Events/<subscriber>/Rule/Resource`: the subscriber's id.
    const segments = delivery.rule.split('/');
    const rule = segments[segments.lastIndexOf('Rule') - 1] ?? delivery.rule;
    const result = delivery.result.ok
      ? String(delivery.result.result ?? 'ok')
      : `${delivery.result.error.name}: ${delivery.result.error.message}`;
    lines.push(`  → ${rule} got ${delivery.event['detail-type']}: ${result}`);
  }
  return lines.join('\n');
}

function describe(event: BusEvent): string {
  const detail = event.detail;
  const field = (name: string): string => {
    const value = typeof detail === 'object' && detail !== null ? Reflect.get(detail, name) : undefined;
    return typeof value === 'string' ? value : '';
  };
  switch (event['detail-type']) {
    case 'Message Received':
      return `${field('type')} (${kindOf(detail)})`;
    case 'Message Status Changed':
      return `${field('previousStatus') || '—'} → ${field('status')}`;
    case 'Message Failed':
      return `${field('origin')}${field('action') ? ` (${field('action')})` : ''}`;
    case 'Webhook Error':
      return `code ${field('code')}`;
    case 'Media Archived':
      return `${field('mimeType')}`;
    case 'Auto Response Completed':
      return `receipt ${stateOf(detail, 'receipt')} · reaction ${stateOf(detail, 'reaction')}`;
    default:
      return '';
  }
}

function kindOf(detail: unknown): string {
  const content = typeof detail === 'object' && detail !== null ? Reflect.get(detail, 'content') : undefined;
  const kind = typeof content === 'object' && content !== null ? Reflect.get(content, 'kind') : undefined;
  return typeof kind === 'string' ? kind : '?';
}

function shortId(event: BusEvent): string {
  const detail = event.detail;
  const id = typeof detail === 'object' && detail !== null ? Reflect.get(detail, 'eventId') : undefined;
  return typeof id === 'string' ? id.slice(0, 8) : '?';
}

function stateOf(detail: unknown, action: string): string {
  const record = typeof detail === 'object' && detail !== null ? Reflect.get(detail, action) : undefined;
  const state = typeof record === 'object' && record !== null ? Reflect.get(record, 'state') : undefined;
  return typeof state === 'string' ? state : '?';
}
