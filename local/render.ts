import type { StoredMessage, StoredRecord } from '../lambda/adapters/conversation-reader';
import { serviceWindowOpen } from '../lambda/adapters/conversation-reader';
import type { SimulatorRequest } from './socialmessaging-simulator';

/**
 * Text views of the conversation store for people: the local pipeline's report and the inspection
 * command. They show message contents: they are for the operator's terminal, never for logs.
 */

const TICKS: Record<string, string> = {
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓ read',
  played: '✓✓ played',
  failed: '✗ failed',
};

/** One conversation: header with the service-window state, then every message in time order. */
export function renderConversation(
  conversation: StoredRecord | undefined,
  messages: readonly StoredMessage[],
  now: Date,
): string {
  const lines: string[] = [];
  if (conversation !== undefined) {
    const who = [
      str(conversation.profileName),
      str(conversation.customerPhone) && `+${str(conversation.customerPhone)}`,
    ]
      .filter(Boolean)
      .join(' ');
    const window = serviceWindowOpen(conversation, now)
      ? `service window open, closes in ${duration(Date.parse(str(conversation.lastInboundAt)) + 86_400_000 - now.getTime())}`
      : 'service window closed (only templates may be sent)';
    lines.push(
      `Conversation with ${who || str(conversation.customerKey)} on business number ${str(conversation.businessPhoneNumberId)}`,
      `  ${conversation.inboundCount ?? 0} inbound message(s) · last at ${str(conversation.lastInboundAt)} · ${window}`,
    );
  } else {
    lines.push('Conversation (no inbound message recorded)');
  }
  for (const message of messages) lines.push(...renderMessage(message));
  return lines.join('\n');
}

/** One message: direction, time, type and content, then its ticks, auto-responses and status history. */
export function renderMessage(message: StoredMessage): string[] {
  const r = message.record;
  const time = str(r.sentAt ?? r.conversationSort).slice(11, 19) || '--:--:--';
  const wamid = shortId(str(r.wamid));
  if (r.direction !== 'inbound') {
    const status = message.currentStatus ?? 'unknown';
    const lines = [`  ${time} → business   ${wamid}  ${TICKS[status] ?? status}`];
    const history = message.statusHistory.map((h) => `${h.status} ${h.at.slice(11, 19)}`).join(' → ');
    if (history) lines.push(`             statuses: ${history}`);
    for (const entry of message.statusHistory) {
      for (const error of asErrors(entry.errors)) lines.push(`             ✗ ${error}`);
    }
    return lines;
  }
  const lines = [`  ${time} ← customer   ${wamid}  ${str(r.type)}: ${summarize(r.content)}`];
  const flags = [
    r.routing !== 'routed' && `not routed (${str(r.routing)}): nothing sent`,
    r.replyTo && `reply to ${shortId(str(r.replyTo))}`,
  ]
    .filter(Boolean)
    .join(' · ');
  if (flags) lines.push(`             ${flags}`);
  const responses = record(r.autoResponse);
  if (responses !== undefined) {
    lines.push(
      `             auto-response: ${renderAction('read receipt', responses.receipt)} · ${renderAction('reaction', responses.reaction)}`,
    );
    for (const action of ['receipt', 'reaction']) {
      const delivery = record(record(responses[action])?.delivery);
      if (delivery !== undefined) {
        lines.push(
          `             ✗ ${action} ${str(delivery.status)} later: ${asErrors(delivery.errors).join('; ')}`,
        );
      }
    }
  }
  return lines;
}

function renderAction(name: string, value: unknown): string {
  const action = record(value);
  const state = str(action?.state);
  if (state === 'sent') return `${name} sent${action?.emoji ? ` ${str(action.emoji)}` : ''}`;
  if (state === 'skipped') return `no ${name} (${str(action?.reason)})`;
  if (state === 'failed') return `${name} rejected: ${str(record(action?.error)?.name)}`;
  return `${name} ${state || 'unknown'}`;
}

/** The SocialMessaging calls the simulator answered, in order. */
export function renderApiCalls(requests: readonly SimulatorRequest[]): string {
  const lines = [`SocialMessaging API calls: ${requests.length}`];
  requests.forEach((request, i) => {
    const message = record(request.message);
    const what =
      message?.status === 'read'
        ? `read receipt for ${shortId(str(message.message_id))}${message.typing_indicator ? ' (+typing)' : ''}`
        : message?.type === 'reaction'
          ? `reaction ${str(record(message.reaction)?.emoji)} to ${shortId(str(record(message.reaction)?.message_id))}`
          : `${str(message?.type) || 'message'}`;
    const outcome =
      'messageId' in request.outcome
        ? `200 ${request.outcome.messageId}`
        : `${request.outcome.fault.status} ${request.outcome.fault.type}`;
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${request.operation} ${what} from ${str(request.originationPhoneNumberId)} → ${outcome}`,
    );
  });
  return lines.join('\n');
}

function summarize(content: unknown): string {
  const c = record(content);
  switch (c?.kind) {
    case 'text':
      return quote(str(c.body));
    case 'media':
      return [
        str(c.mimeType),
        c.caption !== undefined && quote(str(c.caption)),
        c.voice === true && 'voice note',
      ]
        .filter(Boolean)
        .join(' ');
    case 'location':
      return `${String(c.latitude)}, ${String(c.longitude)}${c.name ? ` ${quote(str(c.name))}` : ''}`;
    case 'interactive':
      return `${str(c.replyType)} ${quote(str(c.title ?? c.flowName))}`;
    case 'button':
      return quote(str(c.text));
    case 'reaction':
      return c.emoji === undefined
        ? `removed reaction on ${shortId(str(c.targetWamid))}`
        : `${str(c.emoji)} on ${shortId(str(c.targetWamid))}`;
    case 'order':
      return `${String(c.itemCount)} item(s)`;
    case 'contacts':
      return `${String(c.count)} contact card(s)`;
    case 'system':
      return quote(str(c.body));
    case 'unsupported':
      return `unsupported (${str(c.unsupportedType)})`;
    default:
      return '(kept raw)';
  }
}

function asErrors(value: unknown): string[] {
  return Array.isArray(value)
    ? value.map((e) => {
        const error = record(e);
        return `${str(error?.code)} ${str(error?.title)}`.trim();
      })
    : [];
}

function quote(text: string): string {
  const single = text.replace(/\s+/g, ' ');
  return `"${single.length > 60 ? `${single.slice(0, 57)}…` : single}"`;
}

function shortId(wamid: string): string {
  return wamid.length > 16 ? `${wamid.slice(0, 6)}…${wamid.slice(-6)}` : wamid;
}

function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : undefined;
}
