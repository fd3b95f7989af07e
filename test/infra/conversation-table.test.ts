import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthStack } from '../support/synth';

let template: Template;
beforeAll(() => {
  template = synthStack();
});

function tableResource() {
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
  expect(tables).toHaveLength(1);
  return tables[0];
}

describe('ConversationTable', () => {
  test('keys items by pk and sk, both strings', () => {
    expect(tableResource()?.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  test('is on demand', () => {
    expect(tableResource()?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  test('has the byConversation index: messages of a conversation in time order', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'byConversation',
          KeySchema: [
            { AttributeName: 'conversationKey', KeyType: 'HASH' },
            { AttributeName: 'conversationSort', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]),
    });
  });

  test('has the byActivity index: conversations by day of last inbound message', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'byActivity',
          KeySchema: [
            { AttributeName: 'activityBucket', KeyType: 'HASH' },
            { AttributeName: 'lastInboundAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]),
    });
  });

  test('expires items through TTL on expiresAt', () => {
    expect(tableResource()?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  test('has point-in-time recovery', () => {
    expect(tableResource()?.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
  });

  test('is encrypted with its own customer-managed, rotating key', () => {
    const sse = tableResource()?.Properties.SSESpecification;
    expect(sse).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    const keyId = sse.KMSMasterKeyId['Fn::GetAtt'][0];
    const key = template.toJSON().Resources[keyId];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  test('is retained with deletion protection by default', () => {
    const table = tableResource();
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
    expect(table?.Properties.DeletionProtectionEnabled).toBe(true);
  });

  test('removalPolicy "destroy" deletes it with the stack, without deletion protection', () => {
    const [table] = Object.values(
      synthStack({ removalPolicy: 'destroy' }).findResources('AWS::DynamoDB::Table'),
    );
    expect(table?.DeletionPolicy).toBe('Delete');
    expect(table?.Properties.DeletionProtectionEnabled).toBe(false);
  });
});
