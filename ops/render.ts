import { marketSegment, type RateCard } from '../contracts';
import type {
  ActionRecord,
  CallItem,
  ConversationItem,
  CostTotalItem,
  HealthAspectState,
  MarketingPreferenceItem,
  MediaArchiveRecord,
  MessageItem,
  ResponseActionName,
  SubjectHealthItem,
  WebhookErrorItem,
} from '../lambda/adapters/items';
import { callOutcome } from '../lambda/domain/calls';
import { roundMoney, spendByCategory } from '../lambda/domain/cost';
import { assertNever, isKnownStatus, type MessageContent, type WhatsAppError } from '../lambda/domain/model';
import { currentContent } from '../lambda/domain/revisions';
import { serviceWindowClosesAt, serviceWindowOpen } from '../lambda/domain/service-window';

/**
 * Text views of the conversation store for people: the local pipeline's report and the inspection
 * command. They show message contents: they are for the operator's terminal, never for logs.
 */

/** A SocialMessaging request as the simulator recorded it (only what the view shows). */
export interface ApiCallView {
  readonly operation: string;
  readonly originationPhoneNumberId?: string;
  /** The decoded `message` of a SendWhatsAppMessage call. */
  readonly message?: unknown;
  /** The media id and destination (`bucket/key prefix`) of a GetWhatsAppMessageMedia call. */
  readonly mediaId?: string;
  readonly destination?: string;
  readonly outcome:
    | { readonly messageId: string }
    | { readonly fault: { readonly status: number; readonly type: string } };
}

/** The ticks WhatsApp shows for a status. */
function ticks(status: string): string {
  if (!isKnownStatus(status)) return status;
  switch (status) {
    case 'sent':
      return '✓';
    case 'delivered':
      return '✓✓';
    case 'read':
      return '✓✓ read';
    case 'played':
      return '✓✓ played';
    case 'failed':
      return '✗ failed';
    case 'deleted':
      return 'deleted';
    default:
      return assertNever(status, 'status');
  }
}

/** One conversation: header with the service-window state, then every message in time order. */
export function renderConversation(
  conversation: ConversationItem | undefined,
  timeline: readonly (MessageItem | CallItem)[],
  now: Date,
  marketing?: MarketingPreferenceItem,
): string {
  const lines: string[] = [];
  if (conversation !== undefined) {
    const who = [conversation.profileName, conversation.customerPhone && `+${conversation.customerPhone}`]
      .filter(Boolean)
      .join(' ');
    const closes = serviceWindowClosesAt(conversation.lastInboundAt);
    const window =
      closes !== undefined && serviceWindowOpen(conversation.lastInboundAt, now)
        ? `service window open, closes in ${duration(closes.getTime() - now.getTime())}`
        : 'service window closed (only templates may be sent)';
    lines.push(
      `Conversation with ${who || conversation.customerKey} on business number ${conversation.businessPhoneNumberId}`,
      `  ${conversation.inboundCount} inbound message(s) · last at ${conversation.lastInboundAt ?? ''} · ${window}`,
    );
  } else {
    lines.push('Conversation (no inbound message recorded)');
  }
  if (marketing !== undefined) {
    const state =
      marketing.preference === 'stop'
        ? 'stopped'
        : marketing.preference === 'resume'
          ? 'resumed'
          : marketing.preference;
    lines.push(`  marketing messages: ${state} since ${marketing.preferenceAt}`);
  }
  for (const item of timeline) {
    lines.push(...(item.entity === 'call' ? renderCall(item) : renderMessage(item)));
  }
  return lines.join('\n');
}

/** One call: who called, when, for how long, and how it ended. */
export function renderCall(call: CallItem): string[] {
  const time = call.conversationSort.slice(11, 19) || '--:--:--';
  const who =
    call.direction === 'outbound' ? '→ business' : call.direction === 'inbound' ? '← customer' : '↔ call    ';
  const outcome = callOutcome({
    direction: call.direction,
    terminateStatus: call.terminateStatus,
    durationSeconds: call.durationSeconds,
    statuses: call.statuses.map((s) => s.status),
  });
  const length = call.durationSeconds === undefined ? '' : ` · ${call.durationSeconds} s`;
  const lines = [`  ${time} ${who}   ${shortId(call.callId)}  call: ${outcome}${length}`];
  for (const error of describeErrors(call.errors)) lines.push(`             ✗ ${error}`);
  return lines;
}

/** One message: direction, time, type and content, then its ticks, auto-responses and status history. */
export function renderMessage(message: MessageItem): string[] {
  const time = (message.sentAt ?? message.conversationSort ?? '').slice(11, 19) || '--:--:--';
  const wamid = shortId(message.wamid);
  if (message.direction !== 'inbound') {
    const lines = [`  ${time} → business   ${wamid}  ${ticks(message.status ?? 'unknown')}`];
    if (message.sentFrom === 'business-app') {
      lines.push(
        `             a person, from the WhatsApp Business app: ${message.type ?? ''}: ${summarizeContent(message.content ?? { kind: 'other' })}`,
      );
      if (message.humanTakeoverUntil !== undefined) {
        lines.push(`             bots quiet until ${message.humanTakeoverUntil}`);
      }
    }
    const history = message.statusHistory.map((h) => `${h.status} ${h.at.slice(11, 19)}`).join(' → ');
    if (history) lines.push(`             statuses: ${history}`);
    for (const entry of message.statusHistory) {
      for (const error of describeErrors(entry.errors)) lines.push(`             ✗ ${error}`);
    }
    return lines;
  }
  const content = currentContent(message.content, message.edits ?? [], message.deletion);
  const said =
    message.deletion !== undefined
      ? 'deleted by the customer'
      : summarizeContent(content ?? { kind: 'other' });
  const lines = [`  ${time} ← customer   ${wamid}  ${message.type ?? ''}: ${said}`];
  const edits = message.edits ?? [];
  const flags = [
    message.routing !== 'routed' && `not routed (${message.routing ?? 'unknown'}): nothing sent`,
    message.humanTakeoverUntil !== undefined && 'a person was handling the conversation: no bot answered',
    message.replyTo && `reply to ${shortId(message.replyTo)}`,
    edits.length > 0 &&
      `edited ${edits.length}× (last ${edits.at(-1)?.at.slice(11, 19)}); as sent: ${summarizeContent(message.content ?? { kind: 'other' })}`,
    message.deletion !== undefined &&
      `deleted ${message.deletion.at.slice(11, 19)}: its words are no longer stored`,
  ]
    .filter(Boolean)
    .join(' · ');
  if (flags) lines.push(`             ${flags}`);
  const responses = message.autoResponse;
  if (responses !== undefined) {
    lines.push(
      `             auto-response: ${renderAction('read receipt', responses.receipt)} · ${renderAction('reaction', responses.reaction)}`,
    );
    for (const action of ['receipt', 'reaction'] as const satisfies readonly ResponseActionName[]) {
      const record = responses[action];
      const delivery = record.state === 'sent' || record.state === 'failed' ? record.delivery : undefined;
      if (delivery !== undefined) {
        lines.push(
          `             ✗ ${action} ${delivery.status} later: ${describeErrors(delivery.errors).join('; ')}`,
        );
      }
    }
  }
  const archive = renderMediaArchive(message.mediaArchive);
  if (archive !== undefined) lines.push(`             ${archive}`);
  return lines;
}

/** A media message's archive on one line: "archived: image/jpeg, 84 KB". */
export function renderMediaArchive(archive: MediaArchiveRecord | undefined): string | undefined {
  if (archive === undefined) return undefined;
  switch (archive.state) {
    case 'archived':
      return `archived: ${archive.mimeType ?? 'unknown type'}${archive.fileSizeKb === undefined ? '' : `, ${archive.fileSizeKb} KB`}`;
    case 'fetching':
      return 'archive: being fetched';
    case 'failed':
      return `not archived: ${archive.error.name} (${archive.error.message})`;
    case 'skipped':
      return `not archived: ${archive.reason}`;
  }
}

/** A webhook-level error on one line. */
export function renderWebhookError(error: WebhookErrorItem): string {
  return `${error.occurredAt}  ${error.code} ${error.title ?? ''} ${error.details ?? ''}`.trimEnd();
}

function renderAction(name: string, action: ActionRecord): string {
  switch (action.state) {
    case 'sent':
      return `${name} sent${action.emoji ? ` ${action.emoji}` : ''}`;
    case 'skipped':
      return `no ${name} (${action.reason})`;
    case 'failed':
      return `${name} rejected: ${action.error.name}`;
    case 'unknown':
      return `${name} outcome unknown (${action.error.name}); not sent again`;
    case 'pending':
      return `${name} pending`;
    default:
      return assertNever(action, 'action state');
  }
}

/** The SocialMessaging calls the simulator answered, in order. */
export function renderApiCalls(requests: readonly ApiCallView[]): string {
  const lines = [`SocialMessaging API calls: ${requests.length}`];
  requests.forEach((request, i) => {
    const outcome =
      'messageId' in request.outcome
        ? `200 ${request.outcome.messageId}`
        : `${request.outcome.fault.status} ${request.outcome.fault.type}`;
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${request.operation} ${request.operation === 'GetWhatsAppMessageMedia' ? `media ${request.mediaId ?? '?'} into ${request.destination ?? '?'}` : describeSend(request.message)} from ${request.originationPhoneNumberId ?? ''} → ${'messageId' in request.outcome && request.operation === 'GetWhatsAppMessageMedia' ? '200' : outcome}`,
    );
  });
  return lines.join('\n');
}

/** A short description of a sent message, read from its JSON without trusting its shape. */
function describeSend(message: unknown): string {
  const field = (value: unknown, name: string): unknown =>
    typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  if (field(message, 'status') === 'read') {
    const typing = field(message, 'typing_indicator') !== undefined ? ' (+typing)' : '';
    return `read receipt for ${shortId(text(field(message, 'message_id')))}${typing}`;
  }
  const type = text(field(message, 'type'));
  if (type === 'reaction') {
    const reaction = field(message, 'reaction');
    return `reaction ${text(field(reaction, 'emoji'))} to ${shortId(text(field(reaction, 'message_id')))}`;
  }
  if (type === 'text') return `text ${quote(text(field(field(message, 'text'), 'body')))}`;
  return type || 'message';
}

/** What a message says, in a few words. Every content kind is handled: the compiler checks. */
export function summarizeContent(content: MessageContent): string {
  switch (content.kind) {
    case 'text':
      return quote(content.body);
    case 'media':
      // The message type (image, audio, …) is already on the line.
      return [
        content.mimeType,
        content.caption !== undefined && quote(content.caption),
        content.voice === true && 'voice note',
      ]
        .filter(Boolean)
        .join(' ');
    case 'location':
      return `${content.latitude}, ${content.longitude}${content.name ? ` ${quote(content.name)}` : ''}`;
    case 'interactive':
      return `${content.replyType} ${quote(content.title ?? content.flowName ?? '')}`;
    case 'button':
      return quote(content.text ?? '');
    case 'reaction':
      return content.emoji === undefined
        ? `removed reaction on ${shortId(content.targetWamid)}`
        : `${content.emoji} on ${shortId(content.targetWamid)}`;
    case 'order':
      return `${content.itemCount} item(s)`;
    case 'contacts':
      return `${content.count} contact card(s)`;
    case 'system':
      return quote(content.body ?? '');
    case 'edit':
      return `edited ${shortId(content.targetWamid)}${content.body === undefined ? '' : ` to ${quote(content.body)}`}`;
    case 'revoke':
      return `deleted ${shortId(content.targetWamid)}`;
    case 'welcome':
      return 'opened the chat';
    case 'unsupported':
      return `unsupported (${content.unsupportedType ?? ''})`;
    case 'other':
      return '(kept raw)';
    default:
      return assertNever(content, 'content kind');
  }
}

function describeErrors(errors: readonly WhatsAppError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.code} ${e.title ?? ''}`.trim());
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

/**
 * A WABA's health at a glance: templates by status and quality, numbers by quality and limit, and
 * the account's status, review, capabilities and last alert. Worst first.
 */
export function renderWabaHealth(wabaId: string, records: readonly SubjectHealthItem[]): string {
  const templates = records.filter((r) => r.entity === 'template-health');
  const numbers = records.filter((r) => r.entity === 'phone-number-health');
  const account = records.find((r) => r.entity === 'account-health');
  const state = (s: HealthAspectState | undefined) => s?.event ?? '-';
  const since = (s: HealthAspectState | undefined) => (s === undefined ? '' : `  since ${s.at}`);
  const rank = (event: string | undefined) =>
    TEMPLATE_STATUS_ORDER.indexOf(event ?? '') + 1 || TEMPLATE_STATUS_ORDER.length + 1;
  const lines = [`WhatsApp Business Account ${wabaId}`];
  lines.push(`Templates (${templates.length}) by status and quality:`);
  for (const t of [...templates].sort(
    (a, b) =>
      rank(a.current.status?.event) - rank(b.current.status?.event) ||
      (a.templateName ?? '').localeCompare(b.templateName ?? ''),
  )) {
    const reason = t.current.status?.reason === undefined ? '' : ` (${t.current.status.reason})`;
    lines.push(
      `  ${state(t.current.status).padEnd(10)} ${state(t.current.quality).padEnd(8)} ${t.templateName ?? '(unnamed)'} (${t.language ?? '-'}) [id ${t.templateId}]  category ${t.current.category?.event ?? t.current.status?.value ?? '-'}${reason}${since(t.current.status)}`,
    );
  }
  lines.push(`Phone numbers (${numbers.length}) by quality and limit:`);
  for (const n of numbers) {
    lines.push(
      `  ${n.displayPhoneNumber.padEnd(16)} ${state(n.current.quality).padEnd(18)} limit ${n.current.quality?.value ?? '-'}  name ${state(n.current.name)}${since(n.current.quality)}`,
    );
  }
  if (account === undefined) {
    lines.push('Account: no change recorded');
  } else {
    const status = account.current.status;
    const restrictions = (status?.restrictions ?? []).map(
      (r) => `${r.type ?? '?'} until ${r.expiration ?? '?'}`,
    );
    lines.push(
      `Account: status ${state(status)}${status?.reason === undefined ? '' : ` (${status.reason})`}${status?.value === undefined ? '' : ` ban state ${status.value}`}; review ${state(account.current.review)}; capability ${account.current.capability?.detail ?? '-'}; last alert ${state(account.current.alert)}`,
      ...restrictions.map((r) => `  restricted: ${r}`),
    );
  }
  const flows = records.filter((r) => r.entity === 'flow-health');
  if (flows.length > 0) {
    lines.push(`Flows (${flows.length}) by status:`);
    for (const f of flows) {
      lines.push(
        `  ${state(f.current.status).padEnd(10)} ${f.flowName ?? '(unnamed)'} [id ${f.flowId}]  endpoint ${state(f.current.endpoint)}${since(f.current.status)}`,
      );
    }
  }
  return lines.join('\n');
}

/** Template statuses, most in need of attention first. */
const TEMPLATE_STATUS_ORDER = [
  'DISABLED',
  'PAUSED',
  'REJECTED',
  'FLAGGED',
  'LIMIT_EXCEEDED',
  'PENDING',
  'IN_APPEAL',
  'APPROVED',
];

/**
 * A business number's messages by day, price category and recipient market, billable and free
 * apart, then each category's total; with rate cards, what the billable ones cost (docs/cost.md).
 */
export function renderCostTotals(
  businessPhoneNumberId: string,
  fromDay: string,
  toDay: string,
  totals: readonly CostTotalItem[],
  cards: readonly RateCard[] = [],
): string {
  const head = `Messages priced by Meta on ${businessPhoneNumberId}, ${fromDay} to ${toDay} (UTC days):`;
  if (totals.length === 0) return `${head}\n  none`;
  const currency = cards[0]?.currency;
  const money = (amount: number | undefined) =>
    amount === undefined ? '' : `  ${amount.toFixed(4)} ${currency ?? ''}`.trimEnd();
  const lines = totals.map((t) => {
    const [line] = spendByCategory([t], cards);
    return `  ${t.day}  ${t.category.padEnd(16)} ${t.pricingType.padEnd(22)} ${marketSegment(t).padEnd(5)} ${String(t.messages).padStart(7)}  ${t.billable ? 'billable' : 'free'}${t.billable ? money(line?.unpricedMessages === 0 ? line.amount : undefined) : ''}`;
  });
  const byCategory = spendByCategory(totals, cards).map(
    (c) =>
      `  ${c.category.padEnd(16)} ${String(c.billableMessages).padStart(7)} billable ${String(c.freeMessages).padStart(7)} free${money(c.amount)}${c.unpricedMessages > 0 ? `  (${c.unpricedMessages} not on a rate card)` : ''}`,
  );
  const sum = (billable: boolean) =>
    totals.filter((t) => t.billable === billable).reduce((n, t) => n + t.messages, 0);
  const spent =
    cards.length === 0 ? undefined : spendByCategory(totals, cards).reduce((n, c) => n + (c.amount ?? 0), 0);
  return [
    head,
    ...lines,
    'By category:',
    ...byCategory,
    `  total: ${sum(true)} billable, ${sum(false)} free${spent === undefined ? ' (no rate card: counts only)' : money(roundMoney(spent))}`,
  ].join('\n');
}
