import { ConversationStore } from '../../lambda/adapters/conversation-store';
import { CostStore } from '../../lambda/adapters/cost-store';
import { IdentityStore } from '../../lambda/adapters/identity-store';
import { SendLedgerStore } from '../../lambda/adapters/send-ledger-store';
import { WhatsAppSender } from '../../lambda/adapters/whatsapp-sender';
import { DEFAULT_AUTO_RESPONSE_POLICY } from '../../lambda/domain/auto-response';
import { AutoResponder } from '../../lambda/inbound-processor/auto-responder';
import type { MessageHook } from '../../lambda/inbound-processor/hooks';
import { createInboundHandler } from '../../lambda/inbound-processor/process';
import { ConversationReader } from '../../ops/conversation-reader';
import { createConversationTable } from './assembly';
import { lambdaContext } from './lambda-context';
import type { LocalParts } from './local-parts';
import { testPseudonyms } from './pseudonyms';
import { RecordingLogger, RecordingMetrics } from './recording-observability';

/** What a suite changes in the processor it runs. */
export interface InboundPipelineOptions {
  /** @default the store's default (30) */
  readonly humanTakeoverMinutes?: number;
  /**
   * The hooks, given the auto-responder.
   * @default the auto-responder alone, as the shipped processor runs it
   */
  readonly hooks?: (responder: AutoResponder) => readonly MessageHook[];
  /**
   * The time the stores and the auto-responder see, for fixtures of another day.
   * @default the system clock
   */
  readonly now?: Date;
}

/**
 * The inbound processor as runtime.ts assembles it (conversation store, identity store,
 * auto-responder, a sender that records every send in the ledger, cost counting), on a fresh table of DynamoDB Local and the file's SocialMessaging simulator,
 * with recording logs and metrics. Suites that need another assembly build their own.
 */
export async function inboundPipeline(parts: LocalParts, options: InboundPipelineOptions = {}) {
  const tableName = await createConversationTable(parts.dynamo);
  const clock = options.now === undefined ? undefined : () => options.now ?? new Date();
  const store = new ConversationStore({
    client: parts.dynamo,
    tableName,
    retentionDays: 30,
    humanTakeoverMinutes: options.humanTakeoverMinutes,
    clock,
  });
  const identities = new IdentityStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const costs = new CostStore({ client: parts.dynamo, tableName, retentionDays: 30, clock });
  const ledger = new SendLedgerStore({ client: parts.dynamo, tableName, retentionDays: 30 });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const sender = new WhatsAppSender({
    client: parts.messaging,
    metaApiVersion: 'v24.0',
    baseBackoffMs: 5,
    ledger: {
      store: ledger,
      // Loud in tests: a ledger that cannot be written is a defect here, not an outage.
      onWriteError: (error) => {
        throw error;
      },
    },
  });
  const responder = new AutoResponder({
    store,
    sender,
    policy: DEFAULT_AUTO_RESPONSE_POLICY,
    logger,
    metrics,
    clock,
  });
  const handler = createInboundHandler({
    pseudonyms: testPseudonyms,
    store,
    identities,
    costs,
    logger,
    metrics,
    hooks: options.hooks?.(responder) ?? [responder],
  });
  return {
    tableName,
    store,
    ledger,
    costs,
    sender,
    logger,
    metrics,
    handler,
    /** Runs the processor on an SNS event, with 30 s left. */
    invoke: (event: unknown) => handler(event, lambdaContext(30_000)),
    reader: new ConversationReader(parts.dynamo, tableName),
  };
}
