import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CONVERSATION_TABLE, ENV } from '../../contracts';
import { acknowledgeKeyGrant, rotatingKey } from './secure-defaults';

/**
 * The conversation store as the other constructs use it: a table with the pipeline's key schema
 * and indexes (see docs/table-design.md), whether created here or imported.
 */
export interface IConversationTable {
  readonly table: dynamodb.ITable;
  /** The key that encrypts the table, when it is a customer-managed key. */
  readonly encryptionKey?: kms.IKey;
  /**
   * Lets a principal read conversations: get and query items, through the table and its indexes
   * (a CRM export, an analytics job, `npm run inspect`'s role), and decrypt them.
   */
  grantReadConversations(grantee: iam.IGrantable): iam.Grant;
  /** Lets a principal write records (`PutItem`, `UpdateItem`, which also cover transactions) and no more. */
  grantWriteConversations(grantee: iam.IGrantable): iam.Grant;
  /**
   * Lets a principal write records and resolve customers' identifiers to their conversations
   * (`BatchGetItem` on the table, no index): what the inbound processor does.
   */
  grantInboundRecording(grantee: iam.IGrantable): iam.Grant;
  /** Lets a principal find messages by their auto-responses' AWS message ids, and write failure records. */
  grantFailureRecording(grantee: iam.IGrantable): iam.Grant;
  /**
   * Lets a principal query the alert-digest windows, the stall watch and the daily cost totals, and
   * mark windows notified and sends flagged, and no more.
   */
  grantDigestUpdates(grantee: iam.IGrantable): iam.Grant;
}

/** What a pipeline function does with the table: the permission it gets with the table's name. */
export type ConversationTableAccess = 'write' | 'inbound-recording' | 'failure-recording' | 'digest';

/**
 * Gives one of the pipeline's functions the table's name (its environment variable) and the
 * permission of its `access`: the pipeline's own wiring, over the table's capability grants.
 */
export function bindConversationTable(
  fn: lambda.Function,
  table: IConversationTable,
  access: ConversationTableAccess,
): iam.Grant {
  fn.addEnvironment(ENV.tableName, table.table.tableName);
  switch (access) {
    case 'write':
      return table.grantWriteConversations(fn);
    case 'inbound-recording':
      return table.grantInboundRecording(fn);
    case 'failure-recording':
      return table.grantFailureRecording(fn);
    case 'digest':
      return table.grantDigestUpdates(fn);
  }
}

/** Properties of a {@link ConversationTable}. */
export interface ConversationTableProps {
  /**
   * Fate of the table and its key on stack deletion. `RETAIN` also turns on deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Key that encrypts the table.
   * @default - a customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/** Attributes of a conversation table created elsewhere (another stack, or before this app). */
export interface ConversationTableAttributes {
  readonly tableName: string;
  /**
   * Its stream, which must carry new and old images: the conversation events are published from it.
   * @default - none: the pipeline must then be created with `events: false`
   */
  readonly tableStreamArn?: string;
  /** The key that encrypts it. @default - AWS-owned or AWS-managed encryption: no key grants */
  readonly encryptionKey?: kms.IKey;
}

abstract class ConversationTableBase extends Construct implements IConversationTable {
  public abstract readonly table: dynamodb.ITable;
  public abstract readonly encryptionKey?: kms.IKey;

  grantReadConversations(grantee: iam.IGrantable): iam.Grant {
    if (this.encryptionKey !== undefined) this.encryptionKey.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      resourceArns: [this.table.tableArn, `${this.table.tableArn}/index/*`],
    });
  }

  grantWriteConversations(grantee: iam.IGrantable): iam.Grant {
    this.grantKeyUse(grantee);
    // The table only: writers never touch an index, so no `/index/*` resource.
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  grantInboundRecording(grantee: iam.IGrantable): iam.Grant {
    const write = this.grantWriteConversations(grantee);
    // A customer's aliases and conversations are read by key: the table only, never an index.
    const resolve = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:BatchGetItem'],
      resourceArns: [this.table.tableArn],
    });
    return write.combine(resolve);
  }

  grantFailureRecording(grantee: iam.IGrantable): iam.Grant {
    const write = this.grantWriteConversations(grantee);
    const query = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [CONVERSATION_TABLE.byReceiptMessageId, CONVERSATION_TABLE.byReactionMessageId].map(
        (index) => `${this.table.tableArn}/index/${index.indexName}`,
      ),
    });
    return write.combine(query);
  }

  /** What DynamoDB needs of a caller of a table encrypted with a customer-managed key. */
  private grantKeyUse(grantee: iam.IGrantable): void {
    if (this.encryptionKey === undefined) return;
    this.encryptionKey.grantEncryptDecrypt(grantee);
    acknowledgeKeyGrant(grantee);
  }

  grantDigestUpdates(grantee: iam.IGrantable): iam.Grant {
    this.grantKeyUse(grantee);
    // Digests and cost totals are read by key; the stall watch is the one index the digest reads.
    const digests = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
    const stalls = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${CONVERSATION_TABLE.byStall.indexName}`],
    });
    return digests.combine(stalls);
  }
}

/**
 * The DynamoDB table of conversations, messages and their statuses. On demand, encrypted with a
 * customer-managed key, with point-in-time recovery and a TTL that enforces data retention.
 * Key design and access patterns: docs/table-design.md.
 */
export class ConversationTable extends ConversationTableBase {
  /** A conversation table created elsewhere, with the pipeline's key schema and indexes. */
  static fromTableAttributes(
    scope: Construct,
    id: string,
    attrs: ConversationTableAttributes,
  ): IConversationTable {
    return new ImportedConversationTable(scope, id, attrs);
  }

  public readonly table: dynamodb.Table;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: ConversationTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey =
      props.encryptionKey ??
      rotatingKey(this, 'Key', 'Encrypts WhatsApp conversations at rest', removalPolicy);
    const {
      partitionKey,
      sortKey,
      timeToLiveAttribute,
      byConversation,
      byActivity,
      byReceiptMessageId,
      byReactionMessageId,
      byStall,
    } = CONVERSATION_TABLE;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute,
      // The conversation event publisher reads every committed change here (docs/events.md).
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    // byStall is sparse: a send is in it from its acceptance until it settles or is flagged.
    for (const index of [byConversation, byActivity, byStall]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    // Sparse and keys-only: only messages this pipeline answered have these ids, and a lookup
    // needs nothing but the message's key.
    for (const index of [byReceiptMessageId, byReactionMessageId]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
  }
}

class ImportedConversationTable extends ConversationTableBase {
  public readonly table: dynamodb.ITable;
  public readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, attrs: ConversationTableAttributes) {
    super(scope, id);
    this.table = dynamodb.Table.fromTableAttributes(this, 'Table', {
      tableName: attrs.tableName,
      tableStreamArn: attrs.tableStreamArn,
      encryptionKey: attrs.encryptionKey,
    });
    this.encryptionKey = attrs.encryptionKey;
  }
}
