/**
 * The library: embed the pipeline in your own stack with {@link WhatsAppPipeline}, or compose its
 * parts yourself.
 */
export * from './constructs/conversation-events';
export * from './constructs/conversation-table';
export * from './constructs/failure-alerts';
export * from './constructs/inbound-processor';
export * from './constructs/inbound-topic';
export * from './constructs/media-archive';
export * from './constructs/message-hooks';
export * from './constructs/pipeline-function';
export * from './constructs/pipeline-metrics';
export * from './constructs/pipeline-monitoring';
export * from './constructs/pseudonym-key';
export * from './constructs/secure-defaults';
export * from './constructs/send-permission';
export * from './constructs/waba-links';
export * from './whatsapp-pipeline';
export * from './whatsapp-pipeline-stack';
