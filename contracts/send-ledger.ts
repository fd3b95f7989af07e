/**
 * The send ledger's settings, shared by the construct, the configuration and the processor
 * (docs/send-ledger.md).
 */

/**
 * Minutes after End User Messaging Social accepted a send that it is flagged as stalled if it
 * has not settled: no hand-off for a read receipt, no status from Meta for anything else.
 */
export const DEFAULT_STALL_MINUTES = 10;

/** The longest wait a configuration may ask for before a send is flagged: one day. */
export const MAX_STALL_MINUTES = 1440;
