import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { messageKey } from '../../contracts';
import type {
  ClaimAnswer,
  EffectClaim,
  EffectDone,
  EffectLedger,
  EffectRecord,
  SettledEffect,
} from '../shared/exactly-once';
import { ATTRIBUTE, type MediaArchiveRecord, messageFromItem } from './items';

/** What skipping a message's media did. */
export type MediaClaim =
  | { readonly kind: 'claimed' }
  /** The message's record is gone (its TTL passed): nothing to archive into. */
  | { readonly kind: 'missing' }
  /** Archived, failed or skipped before, or being fetched by another live invocation. */
  | { readonly kind: 'taken'; readonly existing?: MediaArchiveRecord };

/** What an archived fetch reports, kept in the message's archive record. */
export interface MediaFetched extends EffectDone {
  readonly bucket: string;
  /** The key prefix the service wrote under; the object is `<prefix><mediaId>.<extension>`. */
  readonly keyPrefix: string;
  readonly mimeType?: string;
  readonly fileSizeKb?: number;
  readonly attempts: number;
}

/** The message's record is gone (its TTL passed): there is nothing to archive into. */
export class MediaMessageMissingError extends Error {
  public override readonly name = 'MediaMessageMissingError';
}

/**
 * The media archive's writes on message items, as an {@link EffectLedger} of the one exactly-once
 * helper: a claim before the fetch, so that duplicates and redeliveries of the message never fetch
 * twice, and the outcome after it, both in the message's `mediaArchive` attribute. One conditional
 * update each, no reads.
 */
export class MediaArchiveStore implements EffectLedger<string, MediaFetched> {
  constructor(
    private readonly options: {
      client: DynamoDBClient;
      tableName: string;
      clock?: () => Date;
    },
  ) {}

  /**
   * Claims the fetch, unless it was done or another live invocation holds it; with `takeOver`
   * (a fetch is idempotent), a claim of the same invocation or one that expired is taken over.
   *
   * @throws MediaMessageMissingError when the message's record is gone
   */
  async claim(
    wamid: string,
    claim: EffectClaim,
    nowMs: number,
    takeOver: boolean,
  ): Promise<ClaimAnswer<MediaFetched>> {
    const record: MediaArchiveRecord = { state: 'fetching', ...claim, at: this.now() };
    const takeOverCondition = takeOver ? ' OR #archive.#owner = :owner OR #archive.#expires < :now' : '';
    try {
      await this.update(
        wamid,
        {
          update: 'SET #archive = :record',
          condition: `attribute_exists(pk) AND (attribute_not_exists(#archive) OR (#archive.#state = :fetching AND (#archive.#token = :token${takeOverCondition})))`,
        },
        { '#state': 'state', '#owner': 'owner', '#expires': 'expiresAtMs', '#token': 'token' },
        {
          ':record': record,
          ':fetching': 'fetching',
          ':owner': claim.owner,
          ':now': nowMs,
          ':token': claim.token,
        },
        true,
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item === undefined ? undefined : messageFromItem(error.Item).mediaArchive;
      if (existing === undefined)
        throw new MediaMessageMissingError('The message of this media no longer exists');
      return { claimed: false, existing: effectRecordOf(existing) };
    }
  }

  /** Records the outcome of the attempt holding `token`; `claim-lost` when the claim is no longer its own. */
  async settle(
    wamid: string,
    token: string,
    outcome: SettledEffect<MediaFetched>,
  ): Promise<'recorded' | 'claim-lost'> {
    const record: MediaArchiveRecord =
      outcome.state === 'done'
        ? {
            state: 'archived',
            bucket: outcome.bucket,
            keyPrefix: outcome.keyPrefix,
            mimeType: outcome.mimeType,
            fileSizeKb: outcome.fileSizeKb,
            archivedAt: outcome.at,
            attempts: outcome.attempts,
          }
        : // A fetch is idempotent: an ambiguous failure is retried, never `unknown`; record it failed if it came.
          { state: 'failed', error: outcome.error, at: outcome.at };
    try {
      await this.update(
        wamid,
        { update: 'SET #archive = :record', condition: '#archive.#token = :token' },
        { '#token': 'token' },
        { ':record': record, ':token': token },
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'claim-lost';
      throw error;
    }
  }

  /** Gives up the claim of `token` after a transient failure, so the retry can claim at once. */
  async release(wamid: string, token: string): Promise<void> {
    try {
      await this.update(
        wamid,
        { update: 'REMOVE #archive', condition: '#archive.#token = :token' },
        { '#token': 'token' },
        { ':token': token },
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Records why a message's media is not fetched, unless something was recorded before. */
  async skip(
    wamid: string,
    reason: Extract<MediaArchiveRecord, { state: 'skipped' }>['reason'],
  ): Promise<MediaClaim> {
    const record: MediaArchiveRecord = { state: 'skipped', reason, at: this.now() };
    try {
      await this.update(
        wamid,
        {
          update: 'SET #archive = :record',
          condition: 'attribute_exists(pk) AND attribute_not_exists(#archive)',
        },
        {},
        { ':record': record },
        true,
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item === undefined
        ? { kind: 'missing' }
        : { kind: 'taken', existing: messageFromItem(error.Item).mediaArchive };
    }
  }

  /** One conditional update of a message's archive record. */
  private update(
    wamid: string,
    expression: { update: string; condition: string },
    names: Readonly<Record<string, string>>,
    values: Readonly<Record<string, unknown>>,
    returnOldOnFailure = false,
  ): Promise<unknown> {
    return this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: marshall(messageKey(wamid)),
        UpdateExpression: expression.update,
        ConditionExpression: expression.condition,
        ExpressionAttributeNames: { '#archive': ATTRIBUTE.mediaArchive, ...names },
        ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
        ReturnValuesOnConditionCheckFailure: returnOldOnFailure ? 'ALL_OLD' : undefined,
      }),
    );
  }

  private now(): string {
    return (this.options.clock?.() ?? new Date()).toISOString();
  }
}

/** A message's archive record as the exactly-once helper reads it: skipped counts as settled. */
function effectRecordOf(record: MediaArchiveRecord): EffectRecord<MediaFetched> {
  switch (record.state) {
    case 'fetching':
      return {
        state: 'in-progress',
        owner: record.owner,
        token: record.token ?? '',
        expiresAtMs: record.expiresAtMs,
        at: record.at,
      };
    case 'archived':
      return {
        state: 'done',
        at: record.archivedAt,
        bucket: record.bucket,
        keyPrefix: record.keyPrefix,
        mimeType: record.mimeType,
        fileSizeKb: record.fileSizeKb,
        attempts: record.attempts,
      };
    case 'failed':
      return { state: 'failed', error: record.error, at: record.at };
    case 'skipped':
      return { state: 'done', at: record.at, bucket: '', keyPrefix: '', attempts: 0 };
  }
}
