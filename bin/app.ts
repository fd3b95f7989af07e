#!/usr/bin/env node
import { APP_EXTENSIONS, KeywordReplyConfigError } from '../examples';
import { buildApp } from '../lib/app';
import { ConfigValidationError } from '../lib/config';
import { MessageHookEntryError } from '../lib/constructs/message-hooks';
import { WhatsAppPipelinePropsError } from '../lib/whatsapp-pipeline';

try {
  buildApp(APP_EXTENSIONS);
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
