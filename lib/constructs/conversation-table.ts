import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/env';
import { CONVERSATION_TABLE } from '../../lambda/shared/table-schema';
import { acknowledgeKeyGrant, rotatingKey } from './secure-defaults';

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

/**
 * The DynamoDB table of conversations, messages and their statuses. On demand, encrypted with a
 * customer-managed key, with point-in-time recovery and a TTL that enforces data retention.
 * Key design and access patterns: docs/table-design.md.
 */
export class ConversationTable extends Construct {
  public readonly table: dynamodb.Table;
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ConversationTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key =
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
    } = CONVERSATION_TABLE;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    for (const index of [byConversation, byActivity]) {
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

  /**
   * Lets a function find messages by the AWS message ids of their auto-responses and write
   * failure records, and tells it the table's name.
   */
  grantFailureRecording(fn: lambda.Function): void {
    this.grantWriteRecords(fn);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:Query'],
      resourceArns: [CONVERSATION_TABLE.byReceiptMessageId, CONVERSATION_TABLE.byReactionMessageId].map(
        (index) => `${this.table.tableArn}/index/${index.indexName}`,
      ),
    });
  }

  /**
   * Lets a function write records (`PutItem`, `UpdateItem`, which also cover transactions) and no
   * more, and tells it the table's name: the permission and the variable are set together.
   */
  grantWriteRecords(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(ENV.tableName, this.table.tableName);
    this.key.grantEncryptDecrypt(fn);
    acknowledgeKeyGrant(fn);
    // The table only: writers never touch an index, so no `/index/*` resource.
    return iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
  }
}
