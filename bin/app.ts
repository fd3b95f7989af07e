#!/usr/bin/env node
import { addExamples, exampleMessageHooks, KeywordReplyConfigError } from '../examples';
import { buildApp } from '../lib/app';
import { ConfigValidationError } from '../lib/config';
import { MessageHookEntryError } from '../lib/constructs/message-hooks';
import { WhatsAppPipelinePropsError } from '../lib/whatsapp-pipeline';

try {
  // What a fork adds goes here: `npm start`, the tests and `cdk synth` all run this file.
  buildApp({ extend: addExamples, messageHooks: exampleMessageHooks });
} catch (error) {
  // A configuration mistake is the message alone: no stack trace, no code frame.
  if (
    error instanceof ConfigValidationError ||
    error instanceof WhatsAppPipelinePropsError ||
    error instanceof MessageHookEntryError ||
    error instanceof KeywordReplyConfigError
  ) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
