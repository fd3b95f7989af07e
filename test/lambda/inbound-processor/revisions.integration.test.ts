/**
 * Edits and deletions against DynamoDB Local: applied to the message they name, in any order, never
 * answered, and never kept after a deletion.
 */
import fc from 'fast-check';
import { currentContent } from '../../../lambda/domain/revisions';
import { envelope, inboundValue, LOCAL_BUSINESS, type LocalCustomer } from '../../../local/events';
import { snsEvent } from '../../fixtures';
import { inboundPipeline } from '../../support/inbound-pipeline';
import { lambdaContext } from '../../support/lambda-context';
import { useLocalParts } from '../../support/local-parts';

const CUSTOMER: LocalCustomer = { phone: '14255550150', name: 'Ada' };
const ORIGINAL = 'wamid.original';

const parts = useLocalParts();

async function pipeline(options: { answer?: boolean } = {}) {
  const { handler, reader, logger, metrics } = await inboundPipeline(parts, {
    hooks: (responder) => (options.answer === false ? [] : [responder]),
  });
  return {
    invoke: (message: string) => handler(snsEvent(message), lambdaContext(30_000)),
    reader,
    logger,
    metrics,
  };
}

// Recent, so that the auto-response answers the original (it skips messages older than a few minutes).
const T0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const original = () =>
  envelope([inboundValue(CUSTOMER, { wamid: ORIGINAL, type: 'text', at: at(0), payload: { body: 'Helo' } })]);
const editOf = (wamid: string, seconds: number, body: string) =>
  envelope([
    inboundValue(CUSTOMER, {
      wamid,
      type: 'edit',
      at: at(seconds),
      payload: { original_message_id: ORIGINAL, message: { type: 'text', text: { body } } },
    }),
  ]);
const revoke = (seconds = 30) =>
  envelope([
    inboundValue(CUSTOMER, {
      wamid: 'wamid.revoke',
      type: 'revoke',
      at: at(seconds),
      payload: { original_message_id: ORIGINAL },
    }),
  ]);

describe('an edit', () => {
  test('is applied to the message it edits: the record says what the edit says', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(original());
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    const message = await reader.getMessage(ORIGINAL);
    expect(currentContent(message?.content, message?.edits ?? [])).toEqual({ kind: 'text', body: 'Hello' });
  });

  test('keeps the content as sent, so the previous version stays in the history', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(original());
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    const message = await reader.getMessage(ORIGINAL);
    expect(message?.content).toEqual({ kind: 'text', body: 'Helo' });
    expect(message?.edits?.map((e) => e.body)).toEqual(['Hello']);
  });

  test('is not a message of its own: no record under its wamid', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(original());
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    expect(await reader.getMessage('wamid.edit-1')).toBeUndefined();
  });

  test('does not count as an inbound message of the conversation', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(original());
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    const conversation = await reader.getConversation(LOCAL_BUSINESS.metaPhoneNumberId, CUSTOMER.phone ?? '');
    expect(conversation).toMatchObject({ inboundCount: 1, lastInboundWamid: ORIGINAL });
  });

  test('is never answered: the original gets its receipt and reaction, the edit nothing', async () => {
    const { invoke } = await pipeline();
    await invoke(original());
    const afterOriginal = parts.simulator.sent.length;
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    expect(afterOriginal).toBe(2);
    expect(parts.simulator.sent).toHaveLength(2);
  });

  test('redelivered, is applied once', async () => {
    const { invoke, reader, metrics } = await pipeline();
    await invoke(original());
    const edit = editOf('wamid.edit-1', 10, 'Hello');
    await invoke(edit);
    await invoke(edit);
    expect((await reader.getMessage(ORIGINAL))?.edits).toHaveLength(1);
    expect(metrics.get('DuplicateMessages')).toBe(1);
  });

  test('that arrives before the message is kept, and the message then says what the edit says', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    await invoke(original());
    const message = await reader.getMessage(ORIGINAL);
    expect(message?.receivedAt).toBeDefined();
    expect(currentContent(message?.content, message?.edits ?? [])).toEqual({ kind: 'text', body: 'Hello' });
  });

  test('logs pseudonyms, never the words or the wamids', async () => {
    const { invoke, logger } = await pipeline();
    await invoke(editOf('wamid.edit-1', 10, 'Hello there'));
    const lines = JSON.stringify(logger.lines);
    expect(lines).toContain('Edit recorded on the message');
    expect(lines).not.toContain('Hello there');
    expect(lines).not.toContain('wamid.');
  });
});

describe('a deletion', () => {
  test('removes the content, the raw payload and the edits, and leaves a tombstone', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(original());
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    await invoke(revoke());
    const message = await reader.getMessage(ORIGINAL);
    expect(message).toMatchObject({ deletion: { wamid: 'wamid.revoke', at: at(30).toISOString() } });
    expect(message?.content).toBeUndefined();
    expect(message?.payload).toBeUndefined();
    expect(message?.edits).toBeUndefined();
  });

  test('wins over an edit that arrives after it: the edit is not kept', async () => {
    const { invoke, reader, logger } = await pipeline();
    await invoke(original());
    await invoke(revoke());
    await invoke(editOf('wamid.edit-1', 10, 'Hello'));
    expect((await reader.getMessage(ORIGINAL))?.edits).toBeUndefined();
    expect(JSON.stringify(logger.lines)).toContain('Edit of a deleted message: the deletion stands');
  });

  test('before the message arrives: the message is recorded without its words, and never answered', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(revoke());
    await invoke(original());
    const message = await reader.getMessage(ORIGINAL);
    expect(message?.receivedAt).toBeDefined();
    expect(message?.content).toBeUndefined();
    expect(message?.payload).toBeUndefined();
    expect(message?.autoResponse).toEqual({
      receipt: { state: 'skipped', reason: 'deleted' },
      reaction: { state: 'skipped', reason: 'deleted' },
    });
    expect(parts.simulator.sent).toHaveLength(0);
  });

  test('before the message arrives, the message still counts in its conversation', async () => {
    const { invoke, reader } = await pipeline();
    await invoke(revoke());
    await invoke(original());
    const conversation = await reader.getConversation(LOCAL_BUSINESS.metaPhoneNumberId, CUSTOMER.phone ?? '');
    expect(conversation?.inboundCount).toBe(1);
  });
});

describe('edits and a deletion in any order', () => {
  type Step = 'original' | 'edit-1' | 'edit-2' | 'revoke';
  const EDITS = { 'edit-1': { seconds: 10, body: 'v1' }, 'edit-2': { seconds: 20, body: 'v2' } } as const;
  const messageOf = (step: Step) =>
    step === 'original'
      ? original()
      : step === 'revoke'
        ? revoke()
        : editOf(`wamid.${step}`, EDITS[step].seconds, EDITS[step].body);

  test('converge to one record: with a deletion no words remain, else the latest edit is current', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Step>('original', 'edit-1', 'edit-2', 'revoke'), {
          minLength: 1,
          maxLength: 7,
        }),
        async (steps) => {
          const { invoke, reader } = await pipeline({ answer: false });
          for (const step of steps) await invoke(messageOf(step));
          const message = await reader.getMessage(ORIGINAL);
          const edits = (['edit-1', 'edit-2'] as const).filter((e) => steps.includes(e));
          if (steps.includes('revoke')) {
            expect(message?.deletion?.wamid).toBe('wamid.revoke');
            expect([message?.content, message?.payload, message?.edits]).toEqual([
              undefined,
              undefined,
              undefined,
            ]);
          } else {
            expect(message?.edits?.map((e) => e.body)).toEqual(
              edits.length === 0 ? undefined : edits.map((e) => EDITS[e].body),
            );
            const body = edits.length > 0 ? EDITS[edits[edits.length - 1] ?? 'edit-1'].body : 'Helo';
            expect(currentContent(message?.content, message?.edits ?? [])).toEqual(
              steps.includes('original') ? { kind: 'text', body } : undefined,
            );
          }
          expect(message?.receivedAt !== undefined).toBe(steps.includes('original'));
          // No revision ever opens a conversation: only the message does.
          const conversation = await reader.getConversation(
            LOCAL_BUSINESS.metaPhoneNumberId,
            CUSTOMER.phone ?? '',
          );
          expect(conversation?.inboundCount).toBe(steps.includes('original') ? 1 : undefined);
        },
      ),
      { numRuns: 25 },
    );
  });
});
