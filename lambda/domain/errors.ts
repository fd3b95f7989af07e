/** Why an SNS notification could not be decoded. Every reason is permanent: retrying cannot help. */
export type DecodeFailureReason =
  | 'not-an-sns-event'
  | 'not-an-eum-envelope'
  | 'entry-not-json'
  | 'entry-invalid'
  | 'item-without-identity'
  | 'not-an-eventbridge-event';

/**
 * An SNS notification that is not a well-formed End User Messaging Social event. Nothing of it is
 * stored or sent; the invocation fails so the raw event reaches the on-failure destination.
 */
export class EventDecodeError extends Error {
  public override readonly name = 'EventDecodeError';

  constructor(
    /** Machine-readable reason, also the metric dimension. */
    public readonly reason: DecodeFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Narrows a caught value to an Error, wrapping anything else so it can be a `cause`. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
