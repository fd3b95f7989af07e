import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../contracts';

/** Properties of a {@link PseudonymKey}. */
export interface PseudonymKeyProps {
  /**
   * Fate of the secret on stack deletion. Retained by default: a new key changes every pseudonym,
   * and old log lines could no longer be matched.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The per-deployment secret that keys the pseudonyms in logs (HMAC-SHA-256; see docs/privacy.md).
 * Secrets Manager generates its value at deploy time, so it is never in the repository or the
 * template; the functions read it once per execution environment, and operators read it with
 * `npm run pseudonym`.
 */
export class PseudonymKey extends Construct {
  public readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PseudonymKeyProps = {}) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Keys the pseudonyms of customers and messages in the WhatsApp pipeline logs',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A rotated key changes every pseudonym, so logs before and after could not be correlated; rotate by hand if it leaks (docs/privacy.md).',
    });
  }

  /** Lets a principal read the key. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }

  /** Gives a function the secret's ARN (its environment variable) and the permission to read it. */
  bindReader(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(ENV.pseudonymSecretArn, this.secret.secretArn);
    return this.grantRead(fn);
  }
}
