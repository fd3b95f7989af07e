#!/usr/bin/env node
import { buildApp } from '../lib/app';
import { ConfigValidationError } from '../lib/config';
import { WhatsAppPipelinePropsError } from '../lib/whatsapp-pipeline';

try {
  buildApp();
} catch (error) {
  // A configuration mistake is the message alone: no stack trace, no code frame.
  if (error instanceof ConfigValidationError || error instanceof WhatsAppPipelinePropsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
