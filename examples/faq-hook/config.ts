import * as path from 'node:path';
import type { MessageHookEntry } from '../../lib/constructs/message-hooks';

/** The context key of the example: `-c faqHook.enabled=true`. */
export const FAQ_HOOK_CONTEXT_KEY = 'faqHook';

/** The FAQ hook's module, as `messageHooks` takes it. */
export const FAQ_HOOK_ENTRY: MessageHookEntry = {
  entry: path.join(__dirname, 'hook.ts'),
  exportName: 'faqHook',
};

/**
 * Whether the app's context turns the FAQ hook on: `{"enabled": true}` in cdk.json, or
 * `-c faqHook.enabled=true` (the CLI passes a string).
 */
export function faqHookEnabled(context: Readonly<Record<string, unknown>>): boolean {
  const dotted = context[`${FAQ_HOOK_CONTEXT_KEY}.enabled`];
  const value = context[FAQ_HOOK_CONTEXT_KEY];
  const enabled =
    dotted ?? (typeof value === 'object' && value !== null && 'enabled' in value ? value.enabled : undefined);
  return enabled === true || enabled === 'true';
}
