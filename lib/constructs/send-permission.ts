import { Annotations, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * Lets a principal call `SendWhatsAppMessage` from the given phone numbers only
 * (`phone-number-id-<id>`). Without any, from every number of the account, with a synth warning
 * that says how to scope it.
 *
 * @param scope - where the warning is reported
 * @param who - the grantee, as the warning names it
 */
export function grantSendWhatsAppMessage(
  scope: IConstruct,
  grantee: iam.IGrantable,
  phoneNumberIds: readonly string[],
  who = 'the processor',
): iam.Grant {
  return grantOnPhoneNumbers(
    scope,
    grantee,
    phoneNumberIds,
    ['social-messaging:SendWhatsAppMessage'],
    `${who} may send`,
  );
}

/**
 * Lets a principal call social-messaging `actions` on the given phone numbers only; without any,
 * on every number of the account, with a synth warning naming `what` (e.g. "the processor may send").
 */
export function grantOnPhoneNumbers(
  scope: IConstruct,
  grantee: iam.IGrantable,
  phoneNumberIds: readonly string[],
  actions: readonly string[],
  what: string,
): iam.Grant {
  const stack = Stack.of(scope);
  const arn = (resourceName: string) =>
    stack.formatArn({
      service: 'social-messaging',
      resource: 'phone-number-id',
      resourceName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  if (phoneNumberIds.length === 0) {
    Annotations.of(scope).addWarningV2(
      'whatsapp-pipeline:unscoped-send-permission',
      `No phoneNumberIds are configured: ${what} from every WhatsApp phone number of the account. List the numbers this stack serves in cdk.json (whatsappPipeline.phoneNumberIds) to scope it.`,
    );
    const principal = grantee.grantPrincipal;
    if (principal instanceof iam.Role) {
      Validations.of(principal).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:social-messaging:<AWS::Region>:<AWS::AccountId>:phone-number-id/*]',
        reason:
          "No phoneNumberIds configured: sending is limited to the account's phone numbers, with a synth warning.",
      });
    }
  }
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns:
      phoneNumberIds.length === 0
        ? [arn('*')]
        : phoneNumberIds.map((id) => arn(id.replace(/^phone-number-id-/, ''))),
  });
}
