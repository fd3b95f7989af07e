import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../contracts';
import {
  type ConversationEventSubscription,
  PipelineFunction,
  rotatingKey,
  type WhatsAppPipeline,
} from '../../lib';
import { KeywordReplyConfigError } from './config';
import { KEYWORD_REPLY_ENV } from './env';

/**
 * Bytes of the function's environment the keywords and replies may take: Lambda allows 4 KB for
 * every variable together, and the function's others (table, service, metrics) need the rest.
 */
export const KEYWORDS_ENVIRONMENT_BUDGET_BYTES = 3072;

/** @throws KeywordReplyConfigError when the keywords would not fit the function's environment */
function checkKeywordsFitTheEnvironment(keywords: Readonly<Record<string, string>>): void {
  const bytes = Buffer.byteLength(JSON.stringify(keywords), 'utf8');
  if (bytes > KEYWORDS_ENVIRONMENT_BUDGET_BYTES) {
    throw new KeywordReplyConfigError(
      `keywordReply: the keywords and replies take ${bytes} bytes of the function's environment, over the ${KEYWORDS_ENVIRONMENT_BUDGET_BYTES} it leaves them (Lambda allows 4 KB for all its variables): shorten the replies, or keep them in a file bundled with the function`,
    );
  }
}

/** Properties of a {@link KeywordAutoReply}. */
export interface KeywordAutoReplyProps {
  /** The pipeline whose Message Received events are answered. */
  readonly pipeline: WhatsAppPipeline;
  /** Keyword → reply text (matched ignoring case, surrounding spaces and closing punctuation). */
  readonly keywords: Readonly<Record<string, string>>;
  /**
   * Fate of the claims table and its key on stack deletion.
   * @default - the pipeline's removal policy
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The worked example of building on the pipeline from outside its core: a keyword auto-reply. It
 * subscribes one function to the pipeline's `Message Received` events (text messages only) with
 * `pipeline.onMessage`, keeps its own table of reply claims, and may send from the pipeline's
 * numbers only. See examples/keyword-reply/README.md.
 */
export class KeywordAutoReply extends Construct {
  public readonly function: PipelineFunction;
  /** One claim per answered message: the reply's exactly-once record. */
  public readonly claims: dynamodb.Table;
  public readonly subscription: ConversationEventSubscription;

  constructor(scope: Construct, id: string, props: KeywordAutoReplyProps) {
    super(scope, id);
    const { pipeline } = props;
    checkKeywordsFitTheEnvironment(props.keywords);
    const removalPolicy = props.removalPolicy ?? pipeline.removalPolicy;
    const key = rotatingKey(this, 'Key', 'Encrypts the keyword-reply claims', removalPolicy);
    this.claims = new dynamodb.Table(this, 'Claims', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    this.function = new PipelineFunction(this, 'Function', {
      entry: path.join(__dirname, 'handler.ts'),
      description: 'Answers WhatsApp texts that match a configured keyword (example)',
      serviceName: `${pipeline.namePrefix}-keyword-reply`,
      logRetentionDays: pipeline.logRetention,
      removalPolicy,
      environment: {
        [KEYWORD_REPLY_ENV.claimsTableName]: this.claims.tableName,
        [KEYWORD_REPLY_ENV.keywords]: JSON.stringify(props.keywords),
        [ENV.metaApiVersion]: pipeline.metaApiVersion,
      },
    });
    const fn = this.function.function;
    iam.Grant.addToPrincipal({
      grantee: fn,
      // Claims, outcomes and releases are all updates (lambda/adapters/effect-store.ts).
      actions: ['dynamodb:UpdateItem'],
      resourceArns: [this.claims.tableArn],
    });
    key.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    pipeline.grantSendWhatsAppMessage(fn);
    this.subscription = pipeline.onMessage(id, fn, { messageTypes: ['text'] });
  }
}
