/**
 * Exactly-once side effects over at-least-once deliveries: claim by key, act, record the outcome.
 * One helper for every effect the pipeline (or a fork) makes on a customer's screen or elsewhere:
 * a hook's reply, the keyword example's reply, and anything built the same way.
 *
 * The rules, in the order a call meets them:
 * - a key settled before (`done`, `failed`, `unknown`) is never acted on again: its record is the answer;
 * - a key another live invocation holds is not touched: {@link EffectInProgressError}, retry later;
 * - a claim left by an attempt that is gone (it expired, or the same Lambda request's earlier attempt
 *   crashed holding it) may have acted: a non-idempotent effect is recorded `unknown` and never
 *   repeated; an idempotent one is taken over and done again;
 * - the act fails for good (`permanent`): recorded `failed`;
 * - its answer was lost (`ambiguous`): a non-idempotent effect may have happened, so it is recorded
 *   `unknown`; an idempotent one is released like a transient failure;
 * - refused before it happened (throttled past the budget, `transient`): the claim is released and
 *   {@link EffectDeferredError} thrown, so the retry acts once;
 * - the outcome could not be recorded: the error is thrown; an idempotent effect's claim is released
 *   (doing it again is harmless), a non-idempotent one's stays, and a retry finds it stale.
 *
 * Powertools idempotency was considered and not used: it deletes its in-progress record when the
 * wrapped function throws and re-runs one whose expiry passed, which repeats a send that may have
 * been delivered (docs/auto-response.md, "Exactly once").
 */
import { randomUUID } from 'node:crypto';
import { CallFailedError } from './retry';

/** Where an effect stands. `unknown`: it may have happened, so it is never attempted again. */
export type EffectState = 'in-progress' | 'done' | 'failed' | 'unknown';

/** What went wrong with an effect, as recorded. Holds the error's name and the service's message. */
export interface EffectError {
  readonly name: string;
  readonly message: string;
}

/** An attempt's hold on a key. */
export interface EffectClaim {
  /** The invocation (Lambda request id; Lambda keeps it when it retries an invocation). */
  readonly owner: string;
  /** This attempt alone: tells a lost answer of its own claim from an earlier attempt's claim. */
  readonly token: string;
  /** Epoch ms at which the owner's invocation has ended for sure. */
  readonly expiresAtMs: number;
}

/** What the act reports when it succeeds: by default a reference to find it by, and its attempts. */
export interface EffectDone {
  /** What the act returned to find it by later (an AWS message id). */
  readonly reference?: string;
  readonly attempts?: number;
}

/**
 * The stored record of one effect.
 * @typeParam D - what a done act reports, kept with its record
 */
export type EffectRecord<D extends EffectDone = EffectDone> =
  | ({ readonly state: 'in-progress'; readonly at: string } & EffectClaim)
  | SettledEffect<D>;

/** A settled record: what an attempt writes when it is done. */
export type SettledEffect<D extends EffectDone = EffectDone> =
  | ({ readonly state: 'done'; readonly at: string } & D)
  | { readonly state: 'failed' | 'unknown'; readonly at: string; readonly error: EffectError };

/** What claiming a key did. */
export type ClaimAnswer<D extends EffectDone = EffectDone> =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly existing: EffectRecord<D> };

/**
 * Where effect records live (lambda/adapters/effect-store.ts keeps them in DynamoDB). Every write
 * is conditional, so two attempts never both act.
 *
 * @typeParam K - the key of a record in the store
 * @typeParam D - what a done act reports
 */
export interface EffectLedger<K, D extends EffectDone = EffectDone> {
  /**
   * Creates the claim unless a record exists; with `takeOver`, also replaces an in-progress record
   * of the same owner or one that expired before `nowMs`. The caller's own claim (same token) is
   * always its own: a claim whose answer was lost and that the SDK wrote again.
   */
  claim(key: K, claim: EffectClaim, nowMs: number, takeOver: boolean): Promise<ClaimAnswer<D>>;
  /** Records the outcome, if the in-progress record still holds `token`. */
  settle(key: K, token: string, outcome: SettledEffect<D>): Promise<'recorded' | 'claim-lost'>;
  /** Deletes the in-progress record of `token`: the effect surely did not happen. A no-op otherwise. */
  release(key: K, token: string): Promise<void>;
}

/** How a failure of an act is to be treated (see the module's rules). */
export type EffectFailureClass = 'permanent' | 'ambiguous' | 'transient';

/** The invocation that runs an effect. */
export interface EffectInvocation {
  /** The Lambda request id. */
  readonly id: string;
  /** Epoch ms at which the invocation ends for sure: its claims expire then. */
  readonly end: number;
}

/** Options of {@link runOnce}. */
export interface RunOnceOptions {
  /**
   * Doing the effect twice is harmless (a read receipt, the same reaction): a stale claim is taken
   * over and an ambiguous failure retried, instead of recorded `unknown`.
   */
  readonly idempotent: boolean;
  /** @default classifySendFailure - the sorting of a SocialMessaging send's failure */
  readonly classify?: (error: unknown) => EffectFailureClass;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => number;
  /** Called when a release fails; the claim then expires with the invocation. @default - ignored */
  readonly onReleaseFailed?: (error: unknown) => void;
}

/** What {@link runOnce} found or did. `fresh`: this call acted (or recorded the outcome). */
export interface EffectResult<D extends EffectDone = EffectDone> {
  readonly record: SettledEffect<D>;
  /** Whether this call settled it; false when it had been settled before. */
  readonly fresh: boolean;
}

/** Another live invocation holds the effect; the caller's invocation should fail and be retried. */
export class EffectInProgressError extends Error {
  public override readonly name = 'EffectInProgressError';
}

/** The effect was refused before it happened (throttled past the budget); the claim is released. Retry. */
export class EffectDeferredError extends Error {
  public override readonly name = 'EffectDeferredError';
}

/** Sorts a send's failure by the {@link CallFailedError} the sender throws; anything else may have happened. */
export function classifySendFailure(error: unknown): EffectFailureClass {
  if (!(error instanceof CallFailedError)) return 'ambiguous';
  if (error.kind === 'permanent') return 'permanent';
  return error.ambiguous ? 'ambiguous' : 'transient';
}

/**
 * Runs `act` at most once per `key` across every delivery and retry, and records how it ended.
 *
 * @throws EffectInProgressError when another live invocation holds the key
 * @throws EffectDeferredError when the act was refused before it happened (its claim released)
 * @throws the ledger's errors as they are (nothing was acted on, or the claim stays and expires)
 */
export async function runOnce<K, D extends EffectDone = EffectDone>(
  ledger: EffectLedger<K, D>,
  key: K,
  invocation: EffectInvocation,
  options: RunOnceOptions,
  act: () => Promise<D>,
): Promise<EffectResult<D>> {
  const clock = options.clock ?? Date.now;
  const classify = options.classify ?? classifySendFailure;
  const at = () => new Date(clock()).toISOString();
  const claim: EffectClaim = { owner: invocation.id, token: randomUUID(), expiresAtMs: invocation.end };
  const answer = await ledger.claim(key, claim, clock(), options.idempotent);
  if (!answer.claimed) {
    const { existing } = answer;
    if (existing.state !== 'in-progress') return { record: existing, fresh: false };
    const stale = existing.owner === invocation.id || existing.expiresAtMs < clock();
    if (!stale) throw new EffectInProgressError('Another invocation holds this effect; retry later');
    // Not idempotent (a takeover would have been granted otherwise): the attempt that is gone may have acted.
    const unknown: SettledEffect<D> = {
      state: 'unknown',
      at: at(),
      error: { name: 'StaleClaim', message: 'An earlier attempt ended while it held this effect' },
    };
    const settled = await ledger.settle(key, existing.token, unknown);
    if (settled === 'claim-lost') throw new EffectInProgressError('The effect changed hands; retry later');
    return { record: unknown, fresh: true };
  }

  let done: D;
  try {
    done = await act();
  } catch (error) {
    const kind = classify(error);
    if (kind === 'permanent' || (kind === 'ambiguous' && !options.idempotent)) {
      const record: SettledEffect<D> = {
        state: kind === 'permanent' ? 'failed' : 'unknown',
        at: at(),
        error: effectErrorOf(error),
      };
      await ledger.settle(key, claim.token, record);
      return { record, fresh: true };
    }
    await release(ledger, key, claim.token, options);
    throw new EffectDeferredError('The effect was not done; retry', { cause: error });
  }
  const record: SettledEffect<D> = { ...done, state: 'done', at: at() };
  try {
    await ledger.settle(key, claim.token, record);
  } catch (error) {
    // Doing it again is harmless: give the claim up, so any retry acts at once. Otherwise the
    // claim stays until it expires, and a retry then finds it stale (`unknown`).
    if (options.idempotent) await release(ledger, key, claim.token, options);
    throw error;
  }
  return { record, fresh: true };
}

/** Gives up a claim; a failure to is reported, not thrown (the claim then expires with the invocation). */
async function release<K, D extends EffectDone>(
  ledger: EffectLedger<K, D>,
  key: K,
  token: string,
  options: RunOnceOptions,
): Promise<void> {
  await ledger.release(key, token).catch((error: unknown) => options.onReleaseFailed?.(error));
}

/** The recorded form of an act's error: the API's error name and the service's own message. */
export function effectErrorOf(error: unknown): EffectError {
  if (error instanceof CallFailedError) {
    return {
      name: error.errorName,
      message: error.cause instanceof Error ? error.cause.message : error.message,
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
