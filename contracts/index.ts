/**
 * The contracts between the infrastructure (lib/) and the functions (lambda/): names both sides must
 * agree on, the shapes and schemas they exchange, and the facts both derive from (keys, calling
 * codes), nothing else.
 */
export * from './account-health';
export * from './auto-response-policy';
export * from './calling-code';
export * from './coexistence';
export * from './construct-ids';
export * from './conversation-events';
export * from './env';
export * from './events';
export * from './media';
export * from './message-content';
export * from './message-types';
export * from './metrics';
export * from './rate-card';
export * from './send-ledger';
export * from './table';
export * from './waba';
