/**
 * Cost counting against DynamoDB Local: from statuses' `pricing`, each wamid counts once per
 * category, whatever the order and number of its statuses; free types count as free; inspect
 * shows the day's totals (docs/cost.md).
 */
import fc from 'fast-check';
import { envelope, LOCAL_BUSINESS, metadata } from '../../../local/events';
import { EXAMPLE_RATE_CARDS } from '../../../local/rate-cards';
import { inspect } from '../../../ops/inspect';
import { snsEvent } from '../../fixtures';
import { inboundPipeline } from '../../support/inbound-pipeline';
import { useLocalParts } from '../../support/local-parts';

const parts = useLocalParts();
const DAY = '2026-03-02';
const at = (second: number) => Math.floor(Date.parse(`${DAY}T10:00:00Z`) / 1000) + second;

interface Priced {
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read';
  readonly category: string;
  readonly type: string;
  readonly second: number;
  /** @default a US phone number */
  readonly recipient?: { readonly recipient_id?: string; readonly recipient_user_id?: string };
  /** @default the local business number */
  readonly number?: string;
}

let snsIds = 0;
function statusEvent(s: Priced) {
  const value = {
    ...metadata(),
    ...(s.number === undefined ? {} : { metadata: { ...metadata().metadata, phone_number_id: s.number } }),
    statuses: [
      {
        id: s.wamid,
        status: s.status,
        timestamp: String(at(s.second)),
        ...(s.recipient ?? { recipient_id: '14255550150' }),
        pricing: { billable: s.type === 'regular', pricing_model: 'PMP', category: s.category, type: s.type },
      },
    ],
  };
  return snsEvent(envelope([value]), `00000000-0000-4000-8000-${String(snsIds++).padStart(12, '0')}`);
}

const sends: readonly Omit<Priced, 'status' | 'second'>[] = [
  { wamid: 'wamid.M1', category: 'marketing', type: 'regular' },
  { wamid: 'wamid.M2', category: 'marketing', type: 'regular' },
  { wamid: 'wamid.U1', category: 'utility', type: 'regular' },
  { wamid: 'wamid.S1', category: 'service', type: 'free_customer_service' },
];

describe('cost counting', () => {
  test('any order and repetition of statuses counts each message once in its category', async () => {
    const statuses = sends.flatMap((s, i) =>
      (['sent', 'delivered', 'read'] as const).map((status, j) => ({ ...s, status, second: i * 10 + j })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...statuses, ...statuses], { minLength: 1 }),
        async (delivered) => {
          const { invoke, costs } = await inboundPipeline(parts);
          for (const s of delivered) await invoke(statusEvent(s));
          const totals = await costs.totals(LOCAL_BUSINESS.metaPhoneNumberId, DAY, DAY);
          const expected = new Map<string, number>();
          for (const s of sends.filter((s) => delivered.some((d) => d.wamid === s.wamid))) {
            const key = `${s.category}#${s.type}`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
          }
          expect(new Map(totals.map((t) => [`${t.category}#${t.pricingType}`, t.messages]))).toEqual(
            expected,
          );
        },
      ),
      { numRuns: 10 },
    );
  });

  test('a free type counts as free', async () => {
    const { invoke, costs } = await inboundPipeline(parts);
    await invoke(
      statusEvent({
        wamid: 'wamid.S2',
        status: 'sent',
        category: 'service',
        type: 'free_customer_service',
        second: 0,
      }),
    );
    expect(await costs.totals(LOCAL_BUSINESS.metaPhoneNumberId, DAY, DAY)).toMatchObject([
      { category: 'service', pricingType: 'free_customer_service', billable: false, messages: 1 },
    ]);
  });

  test('inspect --cost shows the days, categories and totals of a number', async () => {
    const { invoke, tableName } = await inboundPipeline(parts);
    await invoke(
      statusEvent({ wamid: 'wamid.M3', status: 'sent', category: 'marketing', type: 'regular', second: 0 }),
    );
    await invoke(
      statusEvent({
        wamid: 'wamid.S3',
        status: 'sent',
        category: 'service',
        type: 'free_customer_service',
        second: 1,
      }),
    );
    const printed: string[] = [];
    const code = await inspect(
      ['--table', tableName, '--cost', '--number', LOCAL_BUSINESS.metaPhoneNumberId, '--days', '3'],
      { client: parts.dynamo, print: (t) => printed.push(t), now: new Date(`2026-03-03T08:00:00Z`) },
    );
    expect(code).toBe(0);
    const text = printed.join('\n');
    expect(text).toContain(
      `Messages priced by Meta on ${LOCAL_BUSINESS.metaPhoneNumberId}, 2026-03-01 to 2026-03-03`,
    );
    expect(text).toMatch(/2026-03-02 {2}marketing +regular +\+1 +1 {2}billable/);
    expect(text).toContain('total: 1 billable, 1 free (no rate card: counts only)');
  });

  test('inspect --cost prices with the rate cards, per market, and adds up by category', async () => {
    const { invoke, tableName } = await inboundPipeline(parts);
    const marketing = { status: 'sent', category: 'marketing', type: 'regular' } as const;
    await invoke(statusEvent({ ...marketing, wamid: 'wamid.US', second: 0 }));
    await invoke(
      statusEvent({
        ...marketing,
        wamid: 'wamid.UK',
        second: 1,
        recipient: { recipient_id: '447700900123' },
      }),
    );
    await invoke(
      statusEvent({
        ...marketing,
        wamid: 'wamid.NG',
        second: 2,
        recipient: { recipient_id: '2348031234567' },
      }),
    );
    const printed: string[] = [];
    await inspect(
      ['--table', tableName, '--cost', '--number', LOCAL_BUSINESS.metaPhoneNumberId, '--days', '1'],
      {
        client: parts.dynamo,
        print: (t) => printed.push(t),
        now: new Date(`${DAY}T12:00:00Z`),
        rateCards: EXAMPLE_RATE_CARDS,
      },
    );
    const text = printed.join('\n');
    expect(text).toMatch(/marketing +regular +\+44 +1 {2}billable {2}0\.0529 USD/);
    expect(text).toMatch(/marketing +regular +\+234 +1 {2}billable {2}0\.0604 USD/);
    expect(text).toMatch(/marketing +3 billable +0 free {2}0\.1383 USD/);
    expect(text).toContain('total: 3 billable, 0 free  0.1383 USD');
  });

  test('a recipient known only by business-scoped user id counts in the region of the id', async () => {
    const { invoke, costs } = await inboundPipeline(parts);
    await invoke(
      statusEvent({
        wamid: 'wamid.B1',
        status: 'sent',
        category: 'utility',
        type: 'regular',
        second: 0,
        recipient: { recipient_user_id: 'GB.13491208655302741918' },
      }),
    );
    expect(await costs.totals(LOCAL_BUSINESS.metaPhoneNumberId, DAY, DAY)).toMatchObject([
      { category: 'utility', region: 'GB', messages: 1 },
    ]);
  });

  test("a number's totals leave out another number's of the same day, which the day's totals hold", async () => {
    const { invoke, costs } = await inboundPipeline(parts);
    const marketing = { status: 'sent', category: 'marketing', type: 'regular', second: 0 } as const;
    await invoke(statusEvent({ ...marketing, wamid: 'wamid.N1' }));
    await invoke(statusEvent({ ...marketing, wamid: 'wamid.N2', number: '999000111222333' }));
    expect(await costs.totals(LOCAL_BUSINESS.metaPhoneNumberId, DAY, DAY)).toHaveLength(1);
    expect((await costs.dayTotals(DAY)).map((t) => t.businessPhoneNumberId).sort()).toEqual(
      [LOCAL_BUSINESS.metaPhoneNumberId, '999000111222333'].sort(),
    );
  });
});
