/** WhatsApp's customer-service window: free-form messages are allowed for 24 hours after the customer's last message. */

/** Length of the customer-service window. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window that the customer's last message opened closes, or `undefined` without a message. */
export function serviceWindowClosesAt(lastInboundAt: string | undefined): Date | undefined {
  if (lastInboundAt === undefined) return undefined;
  const opened = Date.parse(lastInboundAt);
  return Number.isNaN(opened) ? undefined : new Date(opened + SERVICE_WINDOW_MS);
}

/** Whether the window is open at `now`: less than 24 hours since the customer's last message. */
export function serviceWindowOpen(lastInboundAt: string | undefined, now: Date): boolean {
  const closes = serviceWindowClosesAt(lastInboundAt);
  return closes !== undefined && now.getTime() < closes.getTime();
}
