import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { InboundProcessor } from '../../lib/constructs/inbound-processor';
import { MessageHookEntryError, processorEntryWithHooks } from '../../lib/constructs/message-hooks';
import { PseudonymKey } from '../../lib/constructs/pseudonym-key';
import { WhatsAppPipeline } from '../../lib/whatsapp-pipeline';

const GREETING = path.join(__dirname, '..', 'fork', 'greeting-hook.ts');
const BROKEN = path.join(__dirname, '..', 'fork', 'broken', 'no-hook-export.ts');

function pipeline(props: ConstructorParameters<typeof WhatsAppPipeline>[2]) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Hooks');
  return { stack, pipeline: new WhatsAppPipeline(stack, 'Default', props) };
}

describe('messageHooks: a fork registers hooks from the construct', () => {
  test('the processor is bundled from a generated entry that passes each hook, in order', () => {
    const entry = processorEntryWithHooks([{ entry: GREETING, exportName: 'greeting' }]);
    const text = readFileSync(entry, 'utf8');
    expect(text).toMatch(/import \{ processorHandler \} from '(\.\.\/)+lambda\/inbound-processor\/runtime';/);
    expect(text).toMatch(/import \{ greeting as hook0 \} from '(\.\.\/)+test\/fork\/greeting-hook';/);
    expect(text).toContain('value: hook0');
  });

  test('the same hooks give the same entry, other hooks another one', () => {
    const a = processorEntryWithHooks([{ entry: GREETING, exportName: 'greeting' }]);
    const b = processorEntryWithHooks([
      { entry: path.relative(process.cwd(), GREETING), exportName: 'greeting' },
    ]);
    const c = processorEntryWithHooks([
      { entry: GREETING, exportName: 'greeting' },
      { entry: GREETING, exportName: 'GREETING' },
    ]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  test('a missing file is one synth error naming it', () => {
    expect(() => pipeline({ messageHooks: [{ entry: 'bots/missing.ts' }] })).toThrow(
      new MessageHookEntryError('messageHooks: "bots/missing.ts" is not a file'),
    );
  });

  test('a missing export names the file, the export and what the file exports', () => {
    expect(() => pipeline({ messageHooks: [{ entry: BROKEN }] })).toThrow(
      /has no export "hook" \(it exports "notAHook"\)/,
    );
  });

  test('every problem is in the one message', () => {
    let error: unknown;
    try {
      pipeline({ messageHooks: [{ entry: BROKEN }, { entry: 'nowhere.ts' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MessageHookEntryError);
    expect(String(error).split('\n')).toHaveLength(2);
  });

  test('the processor with hooks keeps its logical id and handler: only its code changes', () => {
    const functions = (props: ConstructorParameters<typeof WhatsAppPipeline>[2]) =>
      Template.fromStack(pipeline(props).stack).findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'index.handler' },
      });
    const plain = Object.keys(functions({}));
    const hooked = Object.keys(functions({ messageHooks: [{ entry: GREETING, exportName: 'greeting' }] }));
    expect(hooked).toEqual(plain);
    expect(hooked).toContain('InboundProcessorFunction7A1174C1');
  });

  test('entry and messageHooks together are refused: hooks go into the shipped processor', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Both');
    const table = new WhatsAppPipeline(stack, 'Default').conversations;
    expect(
      () =>
        new InboundProcessor(stack, 'Other', {
          topic: new sns.Topic(stack, 'T'),
          conversations: table,
          dataRetentionDays: 1,
          logRetentionDays: logs.RetentionDays.ONE_DAY,
          serviceName: 'x',
          pseudonymKey: new PseudonymKey(stack, 'K'),
          entry: GREETING,
          messageHooks: [{ entry: GREETING, exportName: 'greeting' }],
        }),
    ).toThrow(/give entry or messageHooks, not both/);
  });
});
