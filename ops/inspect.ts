/**
 * Prints conversations, messages and status histories from a conversation table, for people
 * during incidents. Works against a deployed table with your normal AWS credentials, or against
 * the local pipeline's DynamoDB Local (`npm start -- --serve` prints the command).
 *
 *   npm run inspect -- --table <name> <wamid | customer key | phone number> [--number <Meta phone-number id>]
 *   npm run inspect -- --table <name> --recent --number <Meta phone-number id> [--days 2]
 *   npm run inspect -- --table <name> --errors --number <Meta phone-number id>
 *   npm run inspect -- --table <name> --health <WABA id>    (templates, numbers, account)
 *   npm run inspect -- --table <name> --cost --number <Meta phone-number id> [--days 7] [--rate-cards <file>]
 *   add --endpoint http://127.0.0.1:<port> for DynamoDB Local
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { RateCard } from '../contracts';
import { CostStore } from '../lambda/adapters/cost-store';
import { readWabaHealth } from '../lambda/adapters/health-store';
import type { MessageItem } from '../lambda/adapters/items';
import { numberFlag, parseFlags, UsageError } from './cli';
import { ConversationReader } from './conversation-reader';
import { endpointClientConfig } from './endpoint';
import { archivedObjects, PRESIGN_SECONDS, renderArchivedObjects } from './media-links';
import { loadRateCards } from './rate-cards';
import {
  renderConversation,
  renderCostTotals,
  renderMessage,
  renderWabaHealth,
  renderWebhookError,
} from './render';

export const INSPECT_USAGE =
  'usage: npm run inspect -- --table <name> [--endpoint <url>] (<wamid | customer | phone> [--number <id>] [--media | --presign [--s3-endpoint <url>]] | --recent --number <id> [--days <n>] | --errors --number <id> | --cost --number <id> [--days <n>] [--rate-cards <file>] | --health <wabaId>)';

/**
 * Runs the inspection for command-line arguments; returns the exit code.
 *
 * @throws UsageError for a bad command line, before any request
 */
export async function inspect(
  argv: readonly string[],
  deps: {
    client?: DynamoDBClient;
    s3?: S3Client;
    print: (text: string) => void;
    now?: Date;
    /** The rate cards `--cost` prices with. @default those of `--rate-cards`, else of ./cdk.json */
    rateCards?: readonly RateCard[];
  },
): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      table: { type: 'string' },
      endpoint: { type: 'string' },
      number: { type: 'string' },
      recent: { type: 'boolean', default: false },
      errors: { type: 'boolean', default: false },
      cost: { type: 'boolean', default: false },
      'rate-cards': { type: 'string' },
      days: { type: 'string', default: '2' },
      media: { type: 'boolean', default: false },
      presign: { type: 'boolean', default: false },
      's3-endpoint': { type: 'string' },
      health: { type: 'string' },
    },
    true,
  );
  const [subject] = positionals;
  if (values.table === undefined) throw new UsageError('--table <name> is required');
  if (
    subject === undefined &&
    !values.recent &&
    !values.errors &&
    !values.cost &&
    values.health === undefined
  ) {
    throw new UsageError(
      'name a wamid, customer or phone number, or use --recent, --errors, --cost or --health',
    );
  }
  const days = numberFlag('days', values.days, { min: 1, max: 30, integer: true }) ?? 2;
  if (values.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:8000, got "${values.endpoint}"`);
  }
  const client =
    deps.client ??
    new DynamoDBClient(values.endpoint === undefined ? {} : endpointClientConfig(values.endpoint));
  const reader = new ConversationReader(client, values.table);
  const s3Endpoint = values['s3-endpoint'];
  const s3 = () =>
    deps.s3 ??
    new S3Client(
      s3Endpoint === undefined ? {} : { ...endpointClientConfig(s3Endpoint), forcePathStyle: true },
    );
  const printMedia = async (messages: readonly MessageItem[]) => {
    if (!values.media && !values.presign) return;
    const objects = await archivedObjects(s3(), messages, { presign: values.presign });
    deps.print(
      `Archived media${values.presign ? ` (links valid ${PRESIGN_SECONDS / 60} minutes)` : ''}:\n${renderArchivedObjects(objects)}\n`,
    );
  };
  const now = deps.now ?? new Date();
  const number = values.number;

  if (values.health !== undefined) {
    const records = await readWabaHealth(client, values.table, values.health);
    deps.print(renderWabaHealth(values.health, records));
    return 0;
  }

  if (values.cost) {
    if (number === undefined) throw new UsageError('--cost needs --number <Meta phone-number id>');
    const toDay = now.toISOString().slice(0, 10);
    const fromDay = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const cards = deps.rateCards ?? loadRateCards(values['rate-cards']);
    const costs = new CostStore({ client, tableName: values.table, retentionDays: 1 });
    deps.print(renderCostTotals(number, fromDay, toDay, await costs.totals(number, fromDay, toDay), cards));
    return 0;
  }

  if (values.recent || values.errors) {
    if (number === undefined)
      throw new UsageError('--recent and --errors need --number <Meta phone-number id>');
    if (values.errors) {
      const errors = await reader.listWebhookErrors(number);
      deps.print(
        errors.length === 0 ? 'No webhook-level errors.' : errors.map(renderWebhookError).join('\n'),
      );
      return 0;
    }
    const active = await reader.listActiveConversations(number, now, days);
    deps.print(
      active.length === 0
        ? 'No active conversations.'
        : active
            .map(
              (c) =>
                `${c.lastInboundAt ?? ''}  ${c.customerKey}  ${c.profileName ?? ''}  ${c.inboundCount} inbound`,
            )
            .join('\n'),
    );
    return 0;
  }

  if (subject?.startsWith('wamid.')) {
    const message = await reader.getMessage(subject);
    if (message === undefined) {
      deps.print(`No message ${subject}.`);
      return 1;
    }
    deps.print(renderMessage(message).join('\n'));
    deps.print(
      `  current status: ${message.status ?? '(none)'}; record: ${JSON.stringify(message.autoResponse ?? {})}`,
    );
    await printMedia([message]);
    return 0;
  }

  const conversations =
    number === undefined
      ? await reader.findConversations(subject ?? '')
      : [await reader.getConversation(number, subject ?? '')].filter((c) => c !== undefined);
  if (conversations.length === 0) {
    deps.print(`No conversation with ${subject}.`);
    return 1;
  }
  for (const conversation of conversations) {
    const timeline = await reader.listTimeline(conversation.businessPhoneNumberId, conversation.customerKey);
    const messages = timeline.filter((item) => item.entity === 'message');
    const marketing = await reader.getMarketingPreference(
      conversation.businessPhoneNumberId,
      conversation.customerKey,
    );
    deps.print(`${renderConversation(conversation, timeline, now, marketing)}\n`);
    await printMedia(messages);
  }
  return 0;
}
