import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { messageKey } from '../../contracts';
import { ATTRIBUTE, type MediaArchiveRecord, messageFromItem } from './items';

/** What claiming a message's media fetch did. */
export type MediaClaim =
  | { readonly kind: 'claimed' }
  /** The message's record is gone (its TTL passed): nothing to archive into. */
  | { readonly kind: 'missing' }
  /** Archived, failed or skipped before, or being fetched by another live invocation. */
  | { readonly kind: 'taken'; readonly existing?: MediaArchiveRecord };

/**
 * The media archive's writes on message items: a claim before the fetch, so that duplicates and
 * redeliveries of the message never fetch twice, and the outcome after it. One conditional update
 * each, no reads.
 */
export class MediaArchiveStore {
  constructor(private readonly options: { client: DynamoDBClient; tableName: string; clock?: () => Date }) {}

  /** Claims the fetch for `owner` until `expiresAtMs`, unless it was done or another live invocation holds it. */
  async claim(wamid: string, owner: string, expiresAtMs: number, nowMs = Date.now()): Promise<MediaClaim> {
    const record: MediaArchiveRecord = { state: 'fetching', owner, expiresAtMs, at: this.now() };
    try {
      await this.update(
        wamid,
        {
          update: 'SET #archive = :record',
          condition:
            'attribute_exists(pk) AND (attribute_not_exists(#archive) OR (#archive.#state = :fetching AND (#archive.#owner = :owner OR #archive.#expires < :now)))',
        },
        { '#state': 'state', '#owner': 'owner', '#expires': 'expiresAtMs' },
        { ':record': record, ':fetching': 'fetching', ':owner': owner, ':now': nowMs },
        true,
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined) return { kind: 'missing' };
      return { kind: 'taken', existing: messageFromItem(error.Item).mediaArchive };
    }
  }

  /** Records the outcome of `owner`'s fetch; a no-op when the claim is no longer its own. */
  async settle(
    wamid: string,
    owner: string,
    outcome: MediaArchiveRecord,
  ): Promise<'recorded' | 'claim-lost'> {
    try {
      await this.update(
        wamid,
        { update: 'SET #archive = :record', condition: '#archive.#owner = :owner' },
        { '#owner': 'owner' },
        { ':record': outcome, ':owner': owner },
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'claim-lost';
      throw error;
    }
  }

  /** Gives up `owner`'s claim after a transient failure, so the retry can claim at once. */
  async release(wamid: string, owner: string): Promise<void> {
    try {
      await this.update(
        wamid,
        { update: 'REMOVE #archive', condition: '#archive.#owner = :owner' },
        { '#owner': 'owner' },
        { ':owner': owner },
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
