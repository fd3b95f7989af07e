/**
 * Records account-health changes: per template, phone number and account under the WABA's health
 * partition, and per customer under the conversation's. Every write is idempotent under
 * redelivery, and an older change never replaces a newer state. See docs/account-health.md.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  accountHealthKey,
  conversationKeyOf,
  ENTITY,
  flowHealthKey,
  healthAlertKey,
  healthPartition,
  MARKETING_PREFERENCE_CATEGORY,
  marketingPreferenceKey,
  phoneNumberHealthKey,
  type TableKey,
  templateHealthKey,
} from '../../contracts';
import {
  alertOf,
  describeSubject,
  type HealthAlert,
  type HealthChange,
  type PreferenceChange,
} from '../domain/account-health';
import { alertWindowOf } from '../domain/failure-digest';
import {
  ATTRIBUTE,
  type Attributes,
  type HealthAspectState,
  type HealthHistoryEntry,
  healthHistoryKeyOf,
  healthRecordFromItem,
  type MarketingPreferenceItem,
  type PreferenceHistoryEntry,
  preferenceHistoryKeyOf,
  type SubjectHealthItem,
} from './items';
import { queryAll } from './query';
import { buildUpdateExpression, type UpdateSpec } from './update-expression';

/** What recording one change did. */
export type HealthOutcome =
  /** The change is the newest of its aspect: it is the current state now. */
  | { readonly kind: 'recorded'; readonly alert?: HealthAlert }
  /** A newer change of the aspect was recorded before: this one joined the history only. */
  | { readonly kind: 'stale' }
  /** The same change was recorded before (a redelivery): nothing was written. */
  | { readonly kind: 'duplicate' };

/** Options of a {@link HealthStore}. */
export interface HealthStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a customer's preference lives after its last change (it is personal data). */
  readonly retentionDays: number;
  /** Minutes of a digest window; health alerts wait in the window of their recording. */
  readonly digestWindowMinutes: number;
  /** Injectable for tests. @default - the system clock */
  readonly clock?: () => Date;
}

/** Reads and writes the health records of the conversation table. */
export class HealthStore {
  private readonly clock: () => Date;

  constructor(private readonly options: HealthStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Records a change of a template, number or account. The newest change of an aspect becomes its
   * current state, in one conditional write; if it needs a human, the same transaction puts it in
   * a digest window the next runs will read (alertWindowOf). An older change fails that condition
   * and costs a second write that only extends the history. A redelivered change writes nothing.
   */
  async recordChange(change: HealthChange): Promise<HealthOutcome> {
    const now = this.clock();
    const key = subjectKey(change);
    const historyKey = healthHistoryKeyOf(change.aspect, change.event, change.occurredAt);
    const entry: HealthHistoryEntry = {
      aspect: change.aspect,
      ...stateOf(change),
      snsMessageId: change.snsMessageId,
      recordedAt: now.toISOString(),
    };
    const history: UpdateSpec = {
      set: { ...identityOf(change), updatedAt: now.toISOString() },
      appendToList: { [ATTRIBUTE.history]: entry },
      addToSet: { [ATTRIBUTE.historyKeys]: historyKey },
    };
    const newest: UpdateSpec = {
      ...history,
      set: { ...history.set, [change.aspect]: stateOf(change) },
      condition: {
        expression: `NOT contains(#keys, :key) AND (attribute_not_exists(#aspect) OR #aspect.#at < :at)`,
        names: { '#keys': ATTRIBUTE.historyKeys, '#aspect': change.aspect, '#at': 'at' },
        values: { ':key': historyKey, ':at': change.occurredAt },
      },
    };
    const alert = alertOf(change);
    const writes: Update[] = [this.update(key, newest, true)];
    if (alert !== undefined) writes.push(this.alertUpdate(change, key, alert, now));

    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.client.send(
          new TransactWriteItemsCommand({ TransactItems: writes.map((Update) => ({ Update })) }),
        );
        return alert === undefined ? { kind: 'recorded' } : { kind: 'recorded', alert };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        // Two changes of one subject at once conflict; the retry then sees the winner's record.
        if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < MAX_CONFLICT_RETRIES) {
          await sleep(25 * 2 ** attempt + Math.random() * 25);
          continue;
        }
        const [reason] = reasons;
        if (reason?.Code !== 'ConditionalCheckFailed') throw error;
        const stored = reason.Item === undefined ? {} : unmarshall(reason.Item);
        if (setHas(stored[ATTRIBUTE.historyKeys], historyKey)) return { kind: 'duplicate' };
        break;
      }
    }
    return this.appendToHistory(key, history, historyKey);
  }

  /**
   * Records a customer's preference under the conversation's partition: the newest change is the
   * current preference, an older one joins the history only, a redelivery writes nothing.
   */
  async recordPreference(change: PreferenceChange): Promise<HealthOutcome> {
    const now = this.clock();
    const conversationKey = conversationKeyOf(change.businessPhoneNumberId, change.customer.key);
    const key = marketingPreferenceKey(conversationKey, change.category);
    const historyKey = preferenceHistoryKeyOf(change.preference, change.occurredAt);
    const entry: PreferenceHistoryEntry = {
      preference: change.preference,
      at: change.occurredAt,
      snsMessageId: change.snsMessageId,
      recordedAt: now.toISOString(),
    };
    const history: UpdateSpec = {
      set: {
        [ATTRIBUTE.entity]: ENTITY.marketingPreference,
        conversationKey,
        businessPhoneNumberId: change.businessPhoneNumberId,
        wabaId: change.wabaId,
        category: change.category,
        customerKey: change.customer.key,
        customerPhone: change.customer.phone,
        customerUserId: change.customer.userId,
        [ATTRIBUTE.expiresAt]: Math.floor(now.getTime() / 1000) + this.options.retentionDays * 86_400,
      },
      // The first change of a customer must still carry a current preference.
      setIfNotExists: { preference: change.preference, preferenceAt: change.occurredAt },
      appendToList: { [ATTRIBUTE.history]: entry },
      addToSet: { [ATTRIBUTE.historyKeys]: historyKey },
    };
    const newest: UpdateSpec = {
      ...history,
      set: {
        ...history.set,
        preference: change.preference,
        preferenceAt: change.occurredAt,
        detail: change.detail,
      },
      setIfNotExists: undefined,
      condition: {
        expression: 'NOT contains(#keys, :key) AND (attribute_not_exists(#at) OR #at < :at)',
        names: { '#keys': ATTRIBUTE.historyKeys, '#at': 'preferenceAt' },
        values: { ':key': historyKey, ':at': change.occurredAt },
      },
    };
    try {
      await this.options.client.send(new UpdateItemCommand(this.update(key, newest, true)));
      return { kind: 'recorded' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = error.Item === undefined ? {} : unmarshall(error.Item);
      if (setHas(stored[ATTRIBUTE.historyKeys], historyKey)) return { kind: 'duplicate' };
    }
    return this.appendToHistory(key, history, historyKey);
  }

  /**
   * A customer's marketing preference on a business number, for a sender to check before a
   * marketing template: undefined when the customer never stopped or resumed.
   */
  marketingPreference(
    businessPhoneNumberId: string,
    customerKey: string,
  ): Promise<MarketingPreferenceItem | undefined> {
    return readMarketingPreference(
      this.options.client,
      this.options.tableName,
      businessPhoneNumberId,
      customerKey,
    );
  }

  /** Every health record of a WABA: its templates, phone numbers and account. */
  wabaHealth(wabaId: string): Promise<SubjectHealthItem[]> {
    return readWabaHealth(this.options.client, this.options.tableName, wabaId);
  }

  /** The alert of a change in its digest window (see alertWindowOf): counted, the newest change shown. */
  private alertUpdate(change: HealthChange, subject: TableKey, alert: HealthAlert, now: Date): Update {
    const window = alertWindowOf(change.occurredAt, now, this.options.digestWindowMinutes);
    return this.update(healthAlertKey(window.start, subject.sk, change.aspect), {
      set: {
        [ATTRIBUTE.entity]: ENTITY.healthAlert,
        windowStart: window.start,
        windowEnd: window.end,
        wabaId: change.wabaId,
        subjectKey: subject.sk,
        subject: describeSubject(change),
        aspect: change.aspect,
        event: change.event,
        severity: alert.severity,
        headline: alert.headline,
        reason: change.reason,
        detail: change.detail,
        runbookSection: alert.runbookSection,
        at: change.occurredAt,
        [ATTRIBUTE.expiresAt]: Math.floor(now.getTime() / 1000) + this.options.retentionDays * 86_400,
      },
      add: { count: 1 },
    });
  }

  /**
   * Keeps a change older than the stored state in the history only, never as the current state;
   * a duplicate if a concurrent delivery of the same change got there first.
   */
  private async appendToHistory(
    key: TableKey,
    history: UpdateSpec,
    historyKey: string,
  ): Promise<HealthOutcome> {
    try {
      await this.options.client.send(
        new UpdateItemCommand(
          this.update(key, {
            ...history,
            condition: {
              expression: 'NOT contains(#keys, :key)',
              names: { '#keys': ATTRIBUTE.historyKeys },
              values: { ':key': historyKey },
            },
          }),
        ),
      );
      return { kind: 'stale' };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { kind: 'duplicate' };
      throw error;
    }
  }

  private update(key: TableKey, spec: UpdateSpec, returnOldOnFailure = false): Update {
    return {
      TableName: this.options.tableName,
      Key: marshall(key),
      ...buildUpdateExpression(spec),
      ReturnValuesOnConditionCheckFailure: returnOldOnFailure ? 'ALL_OLD' : undefined,
    };
  }
}

/** A customer's marketing preference on a business number, with one GetItem; undefined if none. */
export async function readMarketingPreference(
  client: DynamoDBClient,
  tableName: string,
  businessPhoneNumberId: string,
  customerKey: string,
): Promise<MarketingPreferenceItem | undefined> {
  const key = marketingPreferenceKey(
    conversationKeyOf(businessPhoneNumberId, customerKey),
    MARKETING_PREFERENCE_CATEGORY,
  );
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: marshall(key), ConsistentRead: true }),
  );
  if (Item === undefined) return undefined;
  const item = healthRecordFromItem(Item);
  return item.entity === ENTITY.marketingPreference ? item : undefined;
}

/** Every health record of a WABA, with one Query of its health partition. */
export async function readWabaHealth(
  client: DynamoDBClient,
  tableName: string,
  wabaId: string,
): Promise<SubjectHealthItem[]> {
  const items: SubjectHealthItem[] = [];
  const stored = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: marshall({ ':pk': healthPartition(wabaId) }),
  });
  for (const raw of stored) {
    const item = healthRecordFromItem(raw);
    if (
      item.entity === ENTITY.templateHealth ||
      item.entity === ENTITY.phoneNumberHealth ||
      item.entity === ENTITY.accountHealth ||
      item.entity === ENTITY.flowHealth
    ) {
      items.push(item);
    }
  }
  return items;
}

/** The key of the record a change belongs to. */
function subjectKey(change: HealthChange): TableKey {
  switch (change.subject.kind) {
    case 'template':
      return templateHealthKey(change.wabaId, change.subject.templateId);
    case 'phone-number':
      return phoneNumberHealthKey(change.wabaId, change.subject.displayPhoneNumber);
    case 'account':
      return accountHealthKey(change.wabaId);
    case 'flow':
      return flowHealthKey(change.wabaId, change.subject.flowId);
  }
}

/** The attributes that identify a record; the newest names are kept (a template can be renamed). */
function identityOf(change: HealthChange): Attributes {
  const common = { wabaId: change.wabaId };
  switch (change.subject.kind) {
    case 'template':
      return {
        ...common,
        [ATTRIBUTE.entity]: ENTITY.templateHealth,
        templateId: change.subject.templateId,
        templateName: change.subject.templateName,
        language: change.subject.language,
      };
    case 'phone-number':
      return {
        ...common,
        [ATTRIBUTE.entity]: ENTITY.phoneNumberHealth,
        displayPhoneNumber: change.subject.displayPhoneNumber,
      };
    case 'account':
      return { ...common, [ATTRIBUTE.entity]: ENTITY.accountHealth };
    case 'flow':
      return {
        ...common,
        [ATTRIBUTE.entity]: ENTITY.flowHealth,
        flowId: change.subject.flowId,
        flowName: change.subject.flowName,
      };
  }
}

function stateOf(change: HealthChange): HealthAspectState {
  return {
    event: change.event,
    at: change.occurredAt,
    field: change.field,
    ...(change.previous === undefined ? {} : { previous: change.previous }),
    ...(change.value === undefined ? {} : { value: change.value }),
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ...(change.detail === undefined ? {} : { detail: change.detail }),
    ...(change.severity === undefined ? {} : { severity: change.severity }),
    ...(change.restrictions === undefined ? {} : { restrictions: change.restrictions }),
  };
}

const MAX_CONFLICT_RETRIES = 3;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function setHas(value: unknown, member: string): boolean {
  return value instanceof Set && value.has(member);
}
