import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addExamples } from '../../examples';
import { buildApp } from '../../lib/app';
import { synthContext } from '../../local/assembly';
import { socialMessagingArn } from '../support/synth';

function stackWithExample(config: Record<string, unknown> = {}) {
  const context = synthContext(
    { ...config },
    { keywordReply: { enabled: true, keywords: { hours: 'We are open 9 to 5' } } },
  );
  context['aws:cdk:bundling-stacks'] = [];
  return buildApp({ context, extend: addExamples });
}

describe('the keyword-reply example in the stack', () => {
  test("replies that would not fit the function's environment fail synth, before deploy would", () => {
    const context = synthContext(undefined, {
      keywordReply: { enabled: true, keywords: { hours: 'x'.repeat(3000), address: 'y'.repeat(3000) } },
    });
    context['aws:cdk:bundling-stacks'] = [];
    expect(() => buildApp({ context, extend: addExamples })).toThrow(
      /the keywords and replies take 6\d{3} bytes of the function's environment, over the 3072/,
    );
  });

  test('is absent unless enabled', () => {
    const context = synthContext();
    context['aws:cdk:bundling-stacks'] = [];
    const { stack } = buildApp({ context, extend: addExamples });
    expect(stack.node.tryFindChild('KeywordReply')).toBeUndefined();
  });

  test('subscribes its function to Message Received of texts on the pipeline bus', () => {
    const template = Template.fromStack(stackWithExample().stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^EventsBus') },
      EventPattern: {
        source: ['whatsapp-pipeline'],
        'detail-type': ['Message Received'],
        detail: { type: ['text'] },
      },
    });
  });

  test('may send from the pipeline numbers only, and write its own claims table only', () => {
    const { stack } = stackWithExample({ phoneNumberIds: ['phone-number-id-abc123'] });
    const template = Template.fromStack(stack);
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('KeywordReply'),
    );
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Action: 'social-messaging:SendWhatsAppMessage',
      Effect: 'Allow',
      Resource: socialMessagingArn('phone-number-id/abc123'),
    });
    expect(statements).toContainEqual({
      Action: 'dynamodb:UpdateItem',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KeywordReplyClaims/), 'Arn'] },
    });
    expect(
      statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:'))),
    ).toHaveLength(1);
  });

  test('its claims table is encrypted with its own key, with TTL and point-in-time recovery', () => {
    const template = Template.fromStack(stackWithExample().stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('cdk-nag finds nothing unacknowledged with the example on', () => {
    const { app } = stackWithExample({ phoneNumberIds: ['phone-number-id-abc123'] });
    app.synth();
    const result = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      result.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
      ),
    ).toEqual([]);
  });
});
