import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp } from '../support/synth';

describe('cdk-nag AwsSolutions pack', () => {
  test('finds nothing unacknowledged in the whole app', () => {
    const { app } = buildTestApp();
    // Synthesize first so lazily added resources (log groups, permissions) are in the tree.
    app.synth();
    const result = new AwsSolutionsChecks(app).validateScope(app);
    const findings = result.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings).toEqual([]);
  });

  test('acknowledges at most 21 findings, and KMS action families only for callers of the conversation table', () => {
    const { app } = buildTestApp();
    app.synth();
    const acknowledged = app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .flatMap((m) => Object.keys(m.data as object).map((rule) => ({ path: c.node.path, rule }))),
      );
    // 25 before queue senders got only the producer permissions SQS documents.
    expect(acknowledged.length).toBeLessThanOrEqual(21);
    const kmsFamilies = acknowledged.filter((a) => a.rule.includes('Action::kms:ReEncrypt*'));
    expect(kmsFamilies.map((a) => a.path.split('/').slice(2, 4).join('/')).sort()).toEqual([
      'Alerts/Digest',
      'Alerts/Recorder',
      'InboundProcessor/Processor',
      'Media/Archiver',
    ]);
  });

  test('reports a finding when one exists, so the check above is live', () => {
    const { app, stack } = buildTestApp();
    new Topic(stack, 'UnencryptedTopic');
    app.synth();
    const result = new AwsSolutionsChecks(app).validateScope(app);
    expect(result.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SNS3');
  });
});
