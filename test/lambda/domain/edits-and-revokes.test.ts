import { DEFAULT_AUTO_RESPONSE_POLICY, planResponse } from '../../../lambda/domain/auto-response';
import { decodeSnsEvent } from '../../../lambda/domain/decode';
import { parsePipelineConfig } from '../../../lib/config';
import { fixtureEvent } from '../../fixtures';

const NOW = new Date('2026-01-01T00:01:30Z');
const ORIGINAL = 'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQzQUJDRDEyMzQ1Njc4OTBBQkNERUYA0001';

function onlyMessage(name: string) {
  const message = decodeSnsEvent(fixtureEvent(name))[0]?.messages[0];
  if (message === undefined) throw new Error('no message');
  return message;
}

describe('edits and revokes', () => {
  test('an edit decodes with the message it edits and what it says now', () => {
    expect(onlyMessage('message-edit').content).toEqual({
      kind: 'edit',
      targetWamid: ORIGINAL,
      editedType: 'text',
      body: 'Hello! Is my order on its way? It is order 1234.',
    });
  });

  test('a revoke decodes with the message the customer deleted', () => {
    expect(onlyMessage('message-revoke').content).toEqual({ kind: 'revoke', targetWamid: ORIGINAL });
  });

  test.each(['message-edit', 'message-revoke'])('%s is never answered, whatever the policy says', (name) => {
    const policy = {
      ...DEFAULT_AUTO_RESPONSE_POLICY,
      actions: { edit: 'receipt-and-reaction', revoke: 'receipt' },
    } as const;
    expect(planResponse(onlyMessage(name), policy, NOW)).toEqual({
      receipt: { state: 'skipped', reason: 'silent' },
      reaction: { state: 'skipped', reason: 'silent' },
    });
  });

  test('a configuration that asks to answer them is refused, saying why', () => {
    expect(() => parsePipelineConfig({ autoResponse: { actions: { edit: 'receipt' } } })).toThrow(
      'expected no action for system or edit or revoke: they are never answered',
    );
  });
});
