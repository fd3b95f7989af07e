/**
 * Scale runs against the shipped bundle on parallel local execution environments: a status storm
 * (shuffled, duplicated, out of order) and a burst of inbound messages with redeliveries. Each
 * checks its outcome against what must hold, item by item, not only how fast it went.
 */
import type { BundleHost, InvocationResult } from '../local/bundle-host';
import { envelope, inboundValue, type LocalCustomer, newWamid, statusValue } from '../local/events';
import type { SimulatorRequest } from '../local/socialmessaging-simulator';
import type { ConversationReader } from '../ops/conversation-reader';
import { percentile, runConcurrently } from './stats';

/** Builds the SNS event of a WhatsApp envelope; `key` names a delivery, so a redelivery repeats it. */
export type SnsEventOf = (message: string, key: string) => unknown;

/** Throughput and latency of a run. */
export interface RunFigures {
  readonly invocations: number;
  readonly wallMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What a status storm left in the table. */
export interface StormOutcome extends RunFigures {
  readonly statuses: number;
  readonly wamids: number;
  /** Wamids whose history lacks a status that was delivered. */
  readonly lost: number;
  /** Wamids whose current status is not the newest one delivered (`read`). */
  readonly regressed: number;
}

/** What a burst of inbound messages left in the table and at the API. */
export interface BurstOutcome extends RunFigures {
  readonly messages: number;
  readonly customers: number;
  readonly redeliveries: number;
  /** Invocations that failed and were retried, as Lambda retries an asynchronous invocation. */
  readonly retried: number;
  /** Messages with no record. */
  readonly unrecorded: number;
  /** Messages whose read receipt or reaction was sent other than exactly once. */
  readonly notAnsweredOnce: number;
  /** Conversations whose inbound count is not the number of distinct messages sent in them. */
  readonly wrongCounters: number;
}

const ORDER = ['sent', 'delivered', 'read'] as const;

/** Runs `events` over the hosts, one invocation at a time per host, retrying a failed one like Lambda. */
async function deliver(
  hosts: readonly BundleHost[],
  events: readonly unknown[],
  retries: number,
): Promise<RunFigures & { retried: number }> {
  let retried = 0;
  const { latencies, wallMs } = await runConcurrently(events, hosts.length, async (event, worker) => {
    const host = hosts[worker];
    if (host === undefined) throw new Error(`no host ${worker}`);
    let result: InvocationResult = await host.invoke(event);
    for (let attempt = 0; !result.ok && attempt < retries; attempt++) {
      retried++;
      // Lambda waits before it retries; another instance may be finishing the same message.
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      result = await host.invoke(event);
    }
    if (!result.ok) throw new Error(`invocation failed after ${retries} retries: ${JSON.stringify(result)}`);
  });
  return {
    invocations: events.length,
    wallMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    retried,
  };
}

/** What both scale runs take: the instances, the table's reader, and how events are made. */
interface ScaleRunOptions {
  readonly hosts: readonly BundleHost[];
  readonly reader: ConversationReader;
  readonly customer: (i: number) => LocalCustomer;
  readonly snsEvent: SnsEventOf;
}

/**
 * `statuses` statuses over `wamids` wamids (sent, delivered and read, each repeated), shuffled, one
 * per notification as Meta sends them, delivered by the hosts in parallel.
 */
export async function statusStorm(
  options: ScaleRunOptions & { readonly statuses: number; readonly wamids: number },
): Promise<StormOutcome> {
  const wamids = Array.from({ length: options.wamids }, () => newWamid());
  const perWamid = Math.max(ORDER.length, Math.round(options.statuses / options.wamids));
  const storm = wamids.flatMap((wamid, i) =>
    Array.from({ length: perWamid }, (_, k) => ({ wamid, i, k, status: ORDER[k % ORDER.length] ?? 'sent' })),
  );
  shuffle(storm);
  const events = storm.map(({ wamid, i, k, status }) =>
    options.snsEvent(
      envelope([
        statusValue(options.customer(i), [
          { wamid, status, at: new Date(Date.UTC(2026, 0, 1, 0, 0, ORDER.indexOf(status))) },
        ]),
      ]),
      `storm-${wamid}-${k}`,
    ),
  );
  const figures = await deliver(options.hosts, events, 0);
  const messages = await options.reader.getMessages(wamids);
  let lost = 0;
  let regressed = 0;
  for (const message of messages) {
    const seen = new Set<string>(message?.statusHistory.map((h) => h.status));
    if (!ORDER.every((s) => seen.has(s))) lost++;
    if (message?.status !== 'read') regressed++;
  }
  return { ...figures, statuses: storm.length, wamids: wamids.length, lost, regressed };
}

/** The wamid a read receipt or a reaction answers, from the message the API received. */
export function answeredWamid(request: SimulatorRequest): { action: string; wamid: string } | undefined {
  const message = request.message;
  if (typeof message !== 'object' || message === null) return undefined;
  if ('status' in message && message.status === 'read' && 'message_id' in message) {
    return typeof message.message_id === 'string'
      ? { action: 'receipt', wamid: message.message_id }
      : undefined;
  }
  if ('reaction' in message && typeof message.reaction === 'object' && message.reaction !== null) {
    const reaction = message.reaction;
    return 'message_id' in reaction && typeof reaction.message_id === 'string'
      ? { action: 'reaction', wamid: reaction.message_id }
      : undefined;
  }
  return undefined;
}

/**
 * `messages` inbound texts from `customers` customers, a share of them delivered twice (the same
 * SNS message, anywhere in the stream, possibly to two instances at once), shuffled.
 */
export async function inboundBurst(
  options: ScaleRunOptions & {
    readonly messages: number;
    readonly customers: number;
    readonly redeliveryShare: number;
    readonly businessPhoneNumberId: string;
    readonly sentSince: () => readonly SimulatorRequest[];
  },
): Promise<BurstOutcome> {
  const sent = Array.from({ length: options.messages }, (_, n) => ({
    wamid: newWamid(),
    customer: n % options.customers,
    n,
  }));
  const eventOf = ({ wamid, customer, n }: (typeof sent)[number]) =>
    options.snsEvent(
      envelope([
        inboundValue(options.customer(customer), {
          wamid,
          type: 'text',
          // Seconds apart, so each customer's messages have distinct times, as they would.
          at: new Date(Date.now() - (options.messages - n) * 1000),
          payload: { body: `Burst message ${n}` },
        }),
      ]),
      `burst-${wamid}`,
    );
  const redelivered = sent.filter((_, n) => n % Math.round(1 / options.redeliveryShare) === 0);
  const deliveries = [...sent, ...redelivered];
  shuffle(deliveries);
  // Lambda retries a failed asynchronous invocation twice.
  const figures = await deliver(options.hosts, deliveries.map(eventOf), 2);

  const records = await options.reader.getMessages(sent.map((s) => s.wamid));
  const unrecorded = records.filter((r) => r === undefined).length;
  const answers = new Map<string, number>();
  for (const request of options.sentSince()) {
    const answered = answeredWamid(request);
    if (answered === undefined) continue;
    const key = `${answered.action} ${answered.wamid}`;
    answers.set(key, (answers.get(key) ?? 0) + 1);
  }
  const notAnsweredOnce = sent.filter(
    ({ wamid }) => answers.get(`receipt ${wamid}`) !== 1 || answers.get(`reaction ${wamid}`) !== 1,
  ).length;
  const expected = new Map<number, number>();
  for (const s of sent) expected.set(s.customer, (expected.get(s.customer) ?? 0) + 1);
  let wrongCounters = 0;
  for (const [customer, count] of expected) {
    const conversation = await options.reader.getConversation(
      options.businessPhoneNumberId,
      options.customer(customer).phone ?? '',
    );
    if (conversation?.inboundCount !== count) wrongCounters++;
  }
  return {
    ...figures,
    messages: sent.length,
    customers: options.customers,
    redeliveries: redelivered.length,
    unrecorded,
    notAnsweredOnce,
    wrongCounters,
  };
}

/** Shuffles in place (Fisher–Yates), so events arrive out of order as they do from Meta. */
export function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
}
