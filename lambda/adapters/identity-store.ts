import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  activityBucketOf,
  conversationItemKey,
  conversationKeyOf,
  customerAliasKey,
  ENTITY,
  type TableKey,
} from '../../contracts';
import {
  type AliasLink,
  type Identifiers,
  type IdentityChange,
  identifierList,
  mergeWinner,
  resolvedCustomer,
  resolveIdentifiers,
  supersededBy,
} from '../domain/identity';
import type { Customer } from '../domain/model';
import { type ConversationItem, type CustomerAliasItem, fromItem } from './items';
import { buildUpdateExpression, type UpdateSpec } from './update-expression';

/** Options of an {@link IdentityStore}. */
export interface IdentityStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days an alias lives after it was last confirmed, like the conversation it points at. */
  readonly retentionDays: number;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** Identifiers kept changing under concurrent writers for longer than a few rounds. */
export class IdentityResolutionError extends Error {
  public override readonly name = 'IdentityResolutionError';
}

/** Rounds of read, decide and write before concurrent writers are an error (the invocation is retried). */
const MAX_ROUNDS = 6;

/** What one read of a record's identifiers found. */
interface Snapshot {
  readonly aliases: ReadonlyMap<string, CustomerAliasItem>;
  readonly conversations: ReadonlyMap<string, ConversationItem>;
}

/**
 * The aliases of customers' identifiers (docs/identity.md): resolves the identifiers a record
 * names to one customer key, links identifiers seen together, merges two conversations found to be
 * one person's, and applies the identity changes Meta reports. A known customer costs one
 * BatchGetItem; every write is conditional on what was read, so concurrent writers converge.
 */
export class IdentityStore {
  private readonly clock: () => Date;
  private readonly retentionSeconds: number;

  constructor(private readonly options: IdentityStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.retentionSeconds = options.retentionDays * 86_400;
  }

  /**
   * The customer under the key of their one conversation on this business number, with the
   * identifiers to answer them at: the record's, unless an identity change replaced them.
   *
   * @throws IdentityResolutionError when concurrent writers kept changing the identifiers
   */
  async resolve(businessPhoneNumberId: string, customer: Customer): Promise<Customer> {
    const ids: Identifiers = { phone: customer.phone, userId: customer.userId };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const snapshot = await this.read(
        businessPhoneNumberId,
        identifierList(ids).map((i) => i.identifier),
      );
      const resolution = resolveIdentifiers(ids, (identifier) => {
        const alias = snapshot.aliases.get(identifier);
        return {
          aliasOf: alias?.customerKey,
          supersededAt: alias?.supersededAt,
          hasOwnConversation: snapshot.conversations.has(identifier),
        };
      });
      if (resolution === undefined) return customer;
      if (resolution.kind === 'merge') {
        await this.merge(businessPhoneNumberId, resolution.winner, resolution.loser);
        continue;
      }
      const key = resolution.customerKey;
      const conversation =
        snapshot.conversations.get(key) ?? (await this.conversation(businessPhoneNumberId, key));
      if (conversation?.mergedInto !== undefined) {
        // A merge that has not re-pointed every alias yet, or one whose writer stopped: finish it.
        await this.repoint(businessPhoneNumberId, key, conversation.mergedInto, identifierList(ids));
        continue;
      }
      const links = [...resolution.links, ...this.dueForRefresh(snapshot, key, resolution.links)];
      if (links.length > 0 && !(await this.link(businessPhoneNumberId, key, links, 'seen'))) continue;
      const superseded = new Set(
        [...snapshot.aliases.values()]
          .filter((a) => a.customerKey === key && a.supersededAt !== undefined)
          .map((a) => a.identifier),
      );
      return resolvedCustomer(customer, key, superseded, {
        phone: conversation?.customerPhone,
        userId: conversation?.customerUserId,
      });
    }
    throw new IdentityResolutionError(
      `The identifiers of a customer on ${businessPhoneNumberId} kept changing under concurrent writers`,
    );
  }

  /**
   * Applies an identity change Meta reported for the (resolved) customer: their new identifiers
   * join the conversation (merging one already kept under them), the replaced ones are marked
   * superseded, and the conversation's current identifiers move to the new ones unless a later
   * change was applied first.
   */
  async applyChange(
    businessPhoneNumberId: string,
    customer: Customer,
    change: IdentityChange,
    at: string,
  ): Promise<void> {
    let key = customer.key;
    const next = identifierList(change.next);
    for (let round = 0; ; round++) {
      if (round >= MAX_ROUNDS) {
        throw new IdentityResolutionError(`An identity change on ${businessPhoneNumberId} kept conflicting`);
      }
      const snapshot = await this.read(businessPhoneNumberId, [...next.map((n) => n.identifier), key]);
      const mergedInto = snapshot.conversations.get(key)?.mergedInto;
      if (mergedInto !== undefined) {
        key = mergedInto;
        continue;
      }
      const other = next
        .map((n) => snapshot.aliases.get(n.identifier)?.customerKey)
        .find((k) => k !== undefined && k !== key);
      if (other !== undefined) {
        const winner = mergeWinner(key, other);
        await this.merge(businessPhoneNumberId, winner, winner === key ? other : key);
        key = winner;
        continue;
      }
      const links = next
        .filter((n) => snapshot.aliases.get(n.identifier)?.customerKey !== key)
        .map((n) => ({ ...n, expected: snapshot.aliases.get(n.identifier)?.customerKey }));
      if (links.length > 0 && !(await this.link(businessPhoneNumberId, key, links, 'identity-change')))
        continue;
      break;
    }
    const superseded = supersededBy(change);
    const previous = identifierList(change.previous).filter((p) => superseded.includes(p.identifier));
    await Promise.all(previous.map((p) => this.supersede(businessPhoneNumberId, key, p, at)));
    await this.moveCurrentIdentity(businessPhoneNumberId, key, change, at);
  }

  /** The aliases of the identifiers, and the conversations keyed by them: one BatchGetItem. */
  private async read(businessPhoneNumberId: string, identifiers: readonly string[]): Promise<Snapshot> {
    const unique = [...new Set(identifiers)];
    const keys = unique.flatMap((identifier) => [
      customerAliasKey(businessPhoneNumberId, identifier),
      conversationItemKey(conversationKeyOf(businessPhoneNumberId, identifier)),
    ]);
    const aliases = new Map<string, CustomerAliasItem>();
    const conversations = new Map<string, ConversationItem>();
    if (keys.length === 0) return { aliases, conversations };
    let pending: Record<string, { Keys: Record<string, AttributeValue>[] }> = {
      [this.options.tableName]: { Keys: keys.map((k) => marshall(k)) },
    };
    // Unprocessed keys are retried a few times (throttling); a read that stays short is an error.
    for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
      if (attempt >= 4) throw new IdentityResolutionError('Customer aliases could not be read (throttled)');
      const result = await this.options.client.send(
        new BatchGetItemCommand({ RequestItems: pending, ReturnConsumedCapacity: undefined }),
      );
      for (const stored of result.Responses?.[this.options.tableName] ?? []) {
        const item = fromItem(stored);
        if (item.entity === ENTITY.customerAlias) aliases.set(item.identifier, item);
        if (item.entity === ENTITY.conversation) conversations.set(item.customerKey, item);
      }
      pending = (result.UnprocessedKeys ?? {}) as typeof pending;
      if (Object.keys(pending).length > 0) await sleep(20 * 2 ** attempt);
    }
    return { aliases, conversations };
  }

  private async conversation(businessPhoneNumberId: string, customerKey: string) {
    const snapshot = await this.readConversations(businessPhoneNumberId, [customerKey]);
    return snapshot.get(customerKey);
  }

  private async readConversations(businessPhoneNumberId: string, customerKeys: readonly string[]) {
    const snapshot = await this.read(businessPhoneNumberId, customerKeys);
    return snapshot.conversations;
  }

  /** Aliases of the customer that are past half their life: confirmed again, so they outlive no conversation. */
  private dueForRefresh(snapshot: Snapshot, key: string, linking: readonly AliasLink[]): AliasLink[] {
    const halfLife = Math.floor(this.clock().getTime() / 1000) + this.retentionSeconds / 2;
    return [...snapshot.aliases.values()]
      .filter((a) => a.customerKey === key && a.expiresAt < halfLife)
      .filter((a) => !linking.some((l) => l.identifier === a.identifier))
      .map((a) => ({ identifier: a.identifier, kind: a.identifierKind, expected: key }));
  }

  /**
   * Points identifiers at a customer in one transaction, each on the condition that its alias is
   * still what was read. @returns false when a concurrent writer got there first (read again)
   */
  private async link(
    businessPhoneNumberId: string,
    customerKey: string,
    links: readonly AliasLink[],
    linkedBy: CustomerAliasItem['linkedBy'],
  ): Promise<boolean> {
    const updates = links.map((link) => ({
      Update: this.aliasUpdate(businessPhoneNumberId, customerKey, link, linkedBy),
    }));
    try {
      await this.options.client.send(new TransactWriteItemsCommand({ TransactItems: updates }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  private aliasUpdate(
    businessPhoneNumberId: string,
    customerKey: string,
    link: AliasLink,
    linkedBy: CustomerAliasItem['linkedBy'],
  ): Update {
    const now = this.clock().toISOString();
    const repointed = link.expected !== undefined && link.expected !== customerKey;
    return this.update(customerAliasKey(businessPhoneNumberId, link.identifier), {
      set: {
        entity: ENTITY.customerAlias,
        businessPhoneNumberId,
        identifier: link.identifier,
        identifierKind: link.kind,
        customerKey,
        conversationKey: conversationKeyOf(businessPhoneNumberId, customerKey),
        expiresAt: this.expiresAt(),
        ...(repointed ? { linkedAt: now, linkedBy, previousCustomerKey: link.expected } : {}),
      },
      setIfNotExists: repointed ? undefined : { linkedAt: now, linkedBy },
      // A number given to someone new is theirs now: it is no longer the old customer's, replaced.
      remove: repointed && linkedBy !== 'merge' ? ['supersededAt'] : undefined,
      condition:
        link.expected === undefined
          ? { expression: 'attribute_not_exists(pk)' }
          : { expression: 'customerKey = :expected', values: { ':expected': link.expected } },
    });
  }

  /**
   * Merges the loser's conversation into the winner's: the loser is marked `mergedInto` (nothing
   * writes to it after), the winner takes its counts and its latest times and lists it in
   * `mergedFrom` (readers read both), and the loser's aliases are re-pointed. Every step is
   * conditional and repeatable, so a merge cut short is finished by the next resolution.
   */
  private async merge(businessPhoneNumberId: string, winner: string, loser: string): Promise<void> {
    const conversations = await this.readConversations(businessPhoneNumberId, [winner, loser]);
    const w = conversations.get(winner);
    const l = conversations.get(loser);
    if (w?.mergedInto !== undefined) return; // The winner merged on first: the next round follows it.
    if (l?.mergedInto === undefined) {
      const committed = await this.commitMerge(businessPhoneNumberId, winner, w, loser, l);
      if (!committed) return;
    }
    const identifiers = [
      { identifier: loser, kind: kindOf(loser) },
      ...identifierList({ phone: l?.customerPhone, userId: l?.customerUserId }),
    ];
    await this.repoint(businessPhoneNumberId, loser, l?.mergedInto ?? winner, identifiers);
  }

  private async commitMerge(
    businessPhoneNumberId: string,
    winner: string,
    w: ConversationItem | undefined,
    loser: string,
    l: ConversationItem | undefined,
  ): Promise<boolean> {
    const later = (a: string | undefined, b: string | undefined) =>
      a === undefined ? b : b === undefined ? a : a > b ? a : b;
    const loserLater =
      l?.lastInboundAt !== undefined && (w?.lastInboundAt === undefined || l.lastInboundAt > w.lastInboundAt);
    const humanLater =
      l?.lastHumanReplyAt !== undefined &&
      (w?.lastHumanReplyAt === undefined || l.lastHumanReplyAt > w.lastHumanReplyAt);
    const base = (customerKey: string) => ({
      entity: ENTITY.conversation,
      conversationKey: conversationKeyOf(businessPhoneNumberId, customerKey),
      businessPhoneNumberId,
      customerKey,
      expiresAt: this.expiresAt(),
    });
    const asRead = (name: string, value: string | undefined, placeholder: string) =>
      value === undefined ? `attribute_not_exists(${name})` : `${name} = ${placeholder}`;
    const winnerUpdate = this.update(conversationItemKey(conversationKeyOf(businessPhoneNumberId, winner)), {
      set: {
        ...base(winner),
        ...(loserLater
          ? {
              lastInboundAt: l.lastInboundAt,
              lastInboundWamid: l.lastInboundWamid,
              activityBucket: activityBucketOf(businessPhoneNumberId, l.lastInboundAt ?? ''),
            }
          : {}),
        ...(humanLater
          ? { lastHumanReplyAt: l.lastHumanReplyAt, lastHumanReplyWamid: l.lastHumanReplyWamid }
          : {}),
        humanTakeoverUntil: later(w?.humanTakeoverUntil, l?.humanTakeoverUntil),
        createdAt:
          w?.createdAt === undefined || (l?.createdAt !== undefined && l.createdAt < w.createdAt)
            ? l?.createdAt
            : undefined,
      },
      setIfNotExists: {
        customerPhone: l?.customerPhone,
        customerUserId: l?.customerUserId,
        customerParentUserId: l?.customerParentUserId,
        profileName: l?.profileName,
        username: l?.username,
        originationPhoneNumberId: l?.originationPhoneNumberId,
      },
      appendToList: { mergedFrom: loser },
      add: { inboundCount: l?.inboundCount ?? 0 },
      // Written from what was read: a message that moved the winner since makes the merge read again.
      condition: {
        expression: `attribute_not_exists(mergedInto) AND ${asRead('lastInboundAt', w?.lastInboundAt, ':last')} AND ${asRead('humanTakeoverUntil', w?.humanTakeoverUntil, ':takeover')}`,
        values: { ':last': w?.lastInboundAt, ':takeover': w?.humanTakeoverUntil },
      },
    });
    const loserUpdate = this.update(conversationItemKey(conversationKeyOf(businessPhoneNumberId, loser)), {
      set: { mergedInto: winner },
      setIfNotExists: { ...base(loser), inboundCount: 0 },
      // Out of the activity listing: its customer is listed under the winner.
      remove: ['activityBucket'],
      condition: { expression: 'attribute_not_exists(mergedInto)' },
    });
    try {
      await this.options.client.send(
        new TransactWriteItemsCommand({ TransactItems: [{ Update: loserUpdate }, { Update: winnerUpdate }] }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  /** Points each identifier whose alias still names `from` (or none) at `to`. */
  private async repoint(
    businessPhoneNumberId: string,
    from: string,
    to: string,
    identifiers: readonly { identifier: string; kind: 'phone' | 'user-id' }[],
  ): Promise<void> {
    const unique = [...new Map(identifiers.map((i) => [i.identifier, i])).values()];
    await Promise.all(
      unique.map(async (i) => {
        const update = this.aliasUpdate(businessPhoneNumberId, to, { ...i, expected: from }, 'merge');
        const input = {
          ...update,
          ConditionExpression: 'attribute_not_exists(pk) OR customerKey = :expected',
        };
        try {
          await this.options.client.send(new UpdateItemCommand(input));
        } catch (error) {
          // Pointed elsewhere already: by this merge's other writer, or by a later merge.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  /** Marks an identifier replaced by an identity change; it still finds the customer. */
  private async supersede(
    businessPhoneNumberId: string,
    customerKey: string,
    previous: { identifier: string; kind: 'phone' | 'user-id' },
    at: string,
  ): Promise<void> {
    const now = this.clock().toISOString();
    try {
      await this.options.client.send(
        new UpdateItemCommand(
          this.updateInput(customerAliasKey(businessPhoneNumberId, previous.identifier), {
            set: { supersededAt: at, expiresAt: this.expiresAt() },
            setIfNotExists: {
              entity: ENTITY.customerAlias,
              businessPhoneNumberId,
              identifier: previous.identifier,
              identifierKind: previous.kind,
              customerKey,
              conversationKey: conversationKeyOf(businessPhoneNumberId, customerKey),
              linkedAt: now,
              linkedBy: 'identity-change',
            },
            condition: {
              expression: 'attribute_not_exists(pk) OR customerKey = :key',
              values: { ':key': customerKey },
            },
          }),
        ),
      );
    } catch (error) {
      // The identifier belongs to someone else by now (a number given to a new person).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Sets the conversation's current identifiers to the change's, unless a later change came first. */
  private async moveCurrentIdentity(
    businessPhoneNumberId: string,
    customerKey: string,
    change: IdentityChange,
    at: string,
  ): Promise<void> {
    if (change.next.phone === undefined && change.next.userId === undefined) return;
    try {
      await this.options.client.send(
        new UpdateItemCommand(
          this.updateInput(conversationItemKey(conversationKeyOf(businessPhoneNumberId, customerKey)), {
            set: {
              customerPhone: change.next.phone,
              customerUserId: change.next.userId,
              customerParentUserId: change.parentUserId,
              identityChangedAt: at,
            },
            setIfNotExists: {
              entity: ENTITY.conversation,
              conversationKey: conversationKeyOf(businessPhoneNumberId, customerKey),
              businessPhoneNumberId,
              customerKey,
              inboundCount: 0,
              expiresAt: this.expiresAt(),
            },
            condition: {
              expression: 'attribute_not_exists(identityChangedAt) OR identityChangedAt < :at',
              values: { ':at': at },
            },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private expiresAt(): number {
    return Math.floor(this.clock().getTime() / 1000) + this.retentionSeconds;
  }

  private update(key: TableKey, spec: UpdateSpec): Update {
    return this.updateInput(key, spec);
  }

  private updateInput(key: TableKey, spec: UpdateSpec) {
    return { TableName: this.options.tableName, Key: marshall(key), ...buildUpdateExpression(spec) };
  }
}

/** A customer key's kind: BSUIDs begin with a country code's letters, phone numbers are digits. */
function kindOf(identifier: string): 'phone' | 'user-id' {
  return /^\d+$/.test(identifier) ? 'phone' : 'user-id';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
