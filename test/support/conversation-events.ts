import { randomUUID } from 'node:crypto';
import type { TableItem, WebhookErrorItem } from '../../lambda/adapters/items';
import { eventsOfChange } from '../../lambda/event-publisher/changes';

/** A webhook-level error record, one per code. */
export function webhookErrorItem(code: string): WebhookErrorItem {
  return {
    entity: 'webhook-error',
    businessPhoneNumberId: '574086085794038',
    occurredAt: '2026-12-01T10:00:00.000Z',
    digest: `000000000000000${code}`.slice(-16),
    wabaId: '1163793972139053',
    snsMessageId: 'sns-1',
    code,
    payload: '{}',
    recordedAt: '2026-12-01T10:00:01.000Z',
    expiresAt: 1_900_000_000,
  };
}

/**
 * The EventBridge event a subscriber receives for the first event of a newly written item, as it
 * arrives: JSON, with a fresh EventBridge id.
 */
export function deliveredEvent(item: TableItem) {
  const [entry] = eventsOfChange({ new: item }, 'WhatsAppPipeline');
  return JSON.parse(
    JSON.stringify({
      id: randomUUID(),
      source: 'whatsapp-pipeline',
      'detail-type': entry?.detailType,
      detail: entry?.detail,
    }),
  );
}
