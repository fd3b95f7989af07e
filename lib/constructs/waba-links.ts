import { ArnFormat, CustomResource, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../../contracts';
import { PipelineFunction, shippedHandler } from './pipeline-function';

export { parseWabaReference, type WabaReference } from '../../contracts';

/** Properties of {@link WabaLinks}. */
export interface WabaLinksProps {
  /** The topic each WABA's events go to. */
  readonly topic: sns.ITopic;
  /** WABAs to link, as bare ids (`waba-<id>`, see {@link parseWabaReference}). */
  readonly wabas: readonly string[];
  readonly logRetentionDays: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The `service` of the linker's logs. */
  readonly serviceName: string;
  /**
   * X-Ray active tracing of the function (see PipelineFunctionProps.tracing for its cost).
   * @default false
   */
  readonly tracing?: boolean;
}

/**
 * Points WhatsApp Business Accounts at the inbound topic from the stack, the step every other
 * sample leaves to the console: one custom resource per WABA, backed by the linker function. On
 * destroy (or when a WABA leaves the list) the WABA gets back the destination it had before.
 */
export class WabaLinks extends Construct {
  public readonly linker: PipelineFunction;
  /** One link per WABA, by the id as configured. */
  public readonly links: ReadonlyMap<string, CustomResource>;

  constructor(scope: Construct, id: string, props: WabaLinksProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.linker = new PipelineFunction(this, 'Linker', {
      entry: shippedHandler('waba-linker'),
      serviceName: props.serviceName,
      tracing: props.tracing,
      description: 'Points WhatsApp Business Accounts at the inbound topic and restores them on removal',
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      timeout: Duration.minutes(2),
      // What it may do, from the stack and not from a request: anyone who may invoke the function
      // could otherwise point a WABA at a topic of theirs.
      environment: {
        [ENV.linkerTopicArn]: props.topic.topicArn,
        [ENV.linkerWabas]: JSON.stringify(props.wabas),
      },
    });
    // Always the stack's own account and region: that is where the linker calls the API.
    const wabaArn = (waba: string) =>
      stack.formatArn({
        service: 'social-messaging',
        resource: 'waba',
        resourceName: waba.replace(/^waba-/, ''),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.linker.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'social-messaging:GetLinkedWhatsAppBusinessAccount',
          'social-messaging:PutWhatsAppBusinessAccountEventDestinations',
        ],
        resources: props.wabas.map(wabaArn),
      }),
    );

    const links = new Map<string, CustomResource>();
    for (const waba of props.wabas) {
      // The construct id comes from the WABA, not its position: reordering the list changes nothing.
      const resourceId = waba.replace(/^arn:.*:waba\//, 'waba-').replace(/[^A-Za-z0-9]/g, '');
      links.set(
        waba,
        new CustomResource(this, resourceId, {
          serviceToken: this.linker.function.functionArn,
          resourceType: 'Custom::WhatsAppEventDestination',
          properties: { WabaId: waba, TopicArn: props.topic.topicArn },
        }),
      );
    }
    this.links = links;
  }
}
