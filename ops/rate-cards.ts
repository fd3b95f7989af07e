/**
 * The rate cards the ops tools price with: those of a file named on the command line (a JSON array
 * of cards, or a cdk.json), else those the project's cdk.json deploys, else none (counts only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { type RateCard, rateCardsSchema } from '../contracts';
import { UsageError } from './cli';

/** The cdk.json context key of the pipeline's configuration (lib/config.ts CONFIG_CONTEXT_KEY). */
const CONFIG_KEY = 'whatsappPipeline';

/**
 * Reads rate cards.
 * @param file - a JSON array of rate cards or a cdk.json; `undefined` reads ./cdk.json if it has any
 * @throws UsageError when the file cannot be read or its cards are invalid
 */
export function loadRateCards(file: string | undefined): RateCard[] {
  const path = file ?? 'cdk.json';
  if (file === undefined && !existsSync(path)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--rate-cards: cannot read ${path} as JSON (${String(error)})`);
  }
  const raw = Array.isArray(json) ? json : cardsOfCdkJson(json);
  if (raw === undefined) {
    if (file === undefined) return [];
    throw new UsageError(
      `--rate-cards: ${path} is neither an array of rate cards nor a cdk.json with ${CONFIG_KEY}.rateCards`,
    );
  }
  const parsed = rateCardsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(all)'}: ${i.message}`,
    );
    throw new UsageError(`--rate-cards: the rate cards of ${path} are invalid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function cardsOfCdkJson(json: unknown): unknown {
  const context = field(json, 'context');
  return field(field(context, CONFIG_KEY), 'rateCards');
}

function field(node: unknown, key: string): unknown {
  return node !== null && typeof node === 'object' ? Reflect.get(node, key) : undefined;
}
