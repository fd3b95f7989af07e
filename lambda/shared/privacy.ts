/**
 * What a log reader may see of a customer: keyed pseudonyms, never identifiers. A wamid embeds the
 * customer's phone number, and phone numbers are a small space, so an unkeyed hash of either is
 * reversible by enumeration. Pseudonyms here are HMAC-SHA-256 under a per-deployment secret that
 * only the pipeline's functions and operators can read (see docs/privacy.md).
 */
import { createHmac } from 'node:crypto';

/** The kinds of identifier that get a pseudonym; the kind is part of the MAC input. */
export type PseudonymKind = 'customer' | 'message';

const PREFIX: Readonly<Record<PseudonymKind, string>> = { customer: 'c-', message: 'm-' };

/**
 * Normalizes an identifier so that every written form of it gets the same pseudonym: a phone
 * number with or without `+`, spaces or dashes; a wamid as is; a user id as is.
 */
export function normalizeIdentifier(kind: PseudonymKind, value: string): string {
  const trimmed = value.trim();
  if (kind === 'customer' && /^\+?[\d\s().-]+$/.test(trimmed)) return trimmed.replace(/\D/g, '');
  return trimmed;
}

/** Computes keyed pseudonyms. */
export class Pseudonymizer {
  constructor(private readonly key: string) {
    if (key.length < 32) throw new Error('A pseudonym key must have at least 32 characters');
  }

  /**
   * The pseudonym of an identifier: 16 letters from `a` to `p` (the MAC's first 64 bits, one letter
   * per hex digit), prefixed with its kind. No digits, so a digit scrubber can never touch one.
   */
  of(kind: PseudonymKind, value: string): string {
    const mac = createHmac('sha256', this.key)
      .update(`${kind}:${normalizeIdentifier(kind, value)}`)
      .digest('hex');
    let letters = '';
    for (const digit of mac.slice(0, 16)) letters += String.fromCharCode(97 + Number.parseInt(digit, 16));
    return `${PREFIX[kind]}${letters}`;
  }

  /** A customer, by customer key (business-scoped user id, else phone number). */
  customer(customerKey: string): string {
    return this.of('customer', customerKey);
  }

  /** A message, by wamid. */
  message(wamid: string): string {
    return this.of('message', wamid);
  }
}

/** Provides the pseudonymizer, loading its key once per execution environment. */
export type PseudonymSource = () => Promise<Pseudonymizer>;

/** Memoizes a key loader: the first call loads, every later call reuses; a failed load is retried next time. */
export function memoizedPseudonyms(load: () => Promise<string>): PseudonymSource {
  let pending: Promise<Pseudonymizer> | undefined;
  return () => {
    pending ??= load().then(
      (key) => new Pseudonymizer(key),
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

/** Runs of 7 or more digits: phone numbers, as AWS and Meta error messages sometimes quote them. */
const DIGIT_RUN = /\d[\d\s().-]{5,}\d/g;
/** A wamid, verbatim. */
const WAMID = /wamid\.[A-Za-z0-9+/=_-]+/g;

/**
 * Text from outside (an API's error message, Meta's error details) made safe for a log line: digit
 * runs of 7 or more (with the separators phone numbers are written with) and wamids are replaced.
 */
export function scrub(text: string): string {
  return text
    .replace(WAMID, 'wamid.[redacted]')
    .replace(DIGIT_RUN, (run) => (run.replace(/\D/g, '').length >= 7 ? '[number]' : run));
}

/** An error as a log attribute: its name and scrubbed message, and its cause's, never its raw fields. */
export function loggableError(error: unknown): { name: string; message: string; cause?: unknown } {
  if (!(error instanceof Error)) return { name: 'NonError', message: scrub(String(error)) };
  return {
    name: error.name,
    message: scrub(error.message),
    ...(error.cause === undefined ? {} : { cause: loggableError(error.cause) }),
  };
}
