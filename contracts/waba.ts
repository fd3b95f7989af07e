/** How a WhatsApp Business Account is named: `waba-<id>`, or its ARN. */

const BARE = /^waba-[0-9a-zA-Z]+$/;
const ARN = /^arn:aws[a-z-]*:social-messaging:([a-z0-9-]+):(\d{12}):waba\/([0-9a-zA-Z]+)$/;

/** A WABA as configured, reduced to what identifies it. */
export interface WabaReference {
  /** `waba-<id>`: the same for the bare id and the ARN of one WABA. */
  readonly id: string;
  /** The region and account of an ARN entry; absent for a bare id. */
  readonly region?: string;
  readonly account?: string;
}

/**
 * Reads a WABA written either way. The construct keys its links by `id`, and the linker compares
 * WABAs by it, so switching an entry between the two forms changes nothing.
 *
 * @returns undefined for a string of neither form
 */
export function parseWabaReference(entry: string): WabaReference | undefined {
  if (BARE.test(entry)) return { id: entry };
  const arn = ARN.exec(entry);
  if (arn === null) return undefined;
  return { id: `waba-${arn[3]}`, region: arn[1], account: arn[2] };
}
