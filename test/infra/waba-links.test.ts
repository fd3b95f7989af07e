import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp, socialMessagingArn, synthStack } from '../support/synth';

const WABAS = [
  'waba-0123456789abcdef',
  'arn:aws:social-messaging:eu-west-1:111122223333:waba/fedcba9876543210',
];

describe('WabaLinks', () => {
  test('without linkedWabas, there is no linker and no link', () => {
    const template = synthStack();
    expect(template.findResources('Custom::WhatsAppEventDestination')).toEqual({});
    expect(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Points WhatsApp') },
      }),
    ).toEqual({});
  });

  const template = synthStack({ linkedWabas: WABAS });
  const linkerId = () => {
    const ids = Object.keys(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Points WhatsApp') },
      }),
    );
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  };

  test('the linker knows its topic and WABAs from the stack, not from the requests it gets', () => {
    const env = template.toJSON().Resources[linkerId()].Properties.Environment.Variables;
    expect(env.LINKER_TOPIC_ARN).toEqual({ Ref: expect.stringMatching(/^InboundTopic/) });
    expect(JSON.parse(env.LINKER_WABAS).sort()).toEqual(['waba-0123456789abcdef', 'waba-fedcba9876543210']);
  });

  test('one link per WABA, pointing it at the inbound topic through the linker', () => {
    const links = Object.entries(template.findResources('Custom::WhatsAppEventDestination'));
    // Every entry reduced to its bare id: an id <-> ARN switch is then no change at all.
    expect(links.map(([, link]) => link.Properties.WabaId).sort()).toEqual([
      'waba-0123456789abcdef',
      'waba-fedcba9876543210',
    ]);
    for (const [, link] of links) {
      expect(link.Properties.TopicArn).toEqual({ Ref: expect.stringMatching(/^InboundTopic/) });
      expect(link.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [linkerId(), 'Arn'] });
    }
  });

  test('link ids come from the WABA, not its position, so reordering the list replaces nothing', () => {
    const ids = Object.keys(template.findResources('Custom::WhatsAppEventDestination'));
    expect(ids.some((id) => id.startsWith('WabaLinkswaba0123456789abcdef'))).toBe(true);
    expect(ids.some((id) => id.startsWith('WabaLinkswabafedcba9876543210'))).toBe(true);
    const reordered = Object.keys(
      synthStack({ linkedWabas: [...WABAS].reverse() }).findResources('Custom::WhatsAppEventDestination'),
    );
    expect(reordered.sort()).toEqual(ids.sort());
  });

  test('the linker may read and set event destinations of the listed WABAs only', () => {
    const roleId = template.toJSON().Resources[linkerId()].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: unknown }) => JSON.stringify(s.Action).includes('social-messaging'));
    expect(statements).toStrictEqual([
      {
        Effect: 'Allow',
        Action: [
          'social-messaging:GetLinkedWhatsAppBusinessAccount',
          'social-messaging:PutWhatsAppBusinessAccountEventDestinations',
        ],
        // The stack's own account and region, where the linker calls the API.
        Resource: [socialMessagingArn('waba/0123456789abcdef'), socialMessagingArn('waba/fedcba9876543210')],
      },
    ]);
  });

  test("an ARN of another region or account warns, when the stack's environment is not known", () => {
    const { stack } = buildTestApp({ linkedWabas: WABAS });
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('is in region eu-west-1'),
    );
    expect(warnings).toHaveLength(1);
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('is in account 111122223333')),
    ).toHaveLength(1);
  });

  test('the linker has time to retry within CloudFormation custom resource limits', () => {
    expect(template.toJSON().Resources[linkerId()].Properties.Timeout).toBe(120);
  });

  test('cdk-nag finds nothing unacknowledged with links configured', () => {
    const { app } = buildTestApp({ linkedWabas: WABAS });
    app.synth();
    const result = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      result.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    ).toEqual([]);
  });
});
