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

  test('reports a finding when one exists, so the check above is live', () => {
    const { app, stack } = buildTestApp();
    new Topic(stack, 'UnencryptedTopic');
    app.synth();
    const result = new AwsSolutionsChecks(app).validateScope(app);
    expect(result.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SNS3');
  });
});
