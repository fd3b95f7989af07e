import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addExamples } from '../../examples';
import { buildApp } from '../../lib/app';
import { synthContext } from '../../local/assembly';

/** Every acknowledgement of the tree: the construct that carries it and the rule id. */
function acknowledgements(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data !== undefined)
        .flatMap((m) =>
          Object.keys(m.data as object).map((rule) => `${c.node.path} ${rule.replace(/^annotation::/i, '')}`),
        ),
    );
}

/**
 * The acknowledgements the AwsSolutions pack consulted and found for a finding: the nearest
 * construct, from the resource up, that acknowledges the finding's rule id, as cdk-nag looks it up.
 */
function usedAcknowledgements(root: IConstruct): Set<string> {
  const pack = new AwsSolutionsChecks();
  const used = new Set<string>();
  const original: (resource: IConstruct, ruleId: string) => boolean = Reflect.get(
    pack,
    'isAcknowledged',
  ).bind(pack);
  Reflect.set(pack, 'isAcknowledged', (resource: IConstruct, ruleId: string) => {
    const acknowledged = original(resource, ruleId);
    for (
      let current: IConstruct | undefined = resource;
      acknowledged && current !== undefined;
      current = current.node.scope
    ) {
      if (acknowledgements(current).some((a) => a === `${current?.node.path} ${ruleId}`)) {
        used.add(`${current.node.path} ${ruleId}`);
        break;
      }
    }
    return acknowledged;
  });
  pack.validateScope(root);
  return used;
}

function app(config: Record<string, unknown>, extraContext: Record<string, unknown> = {}) {
  const context = synthContext(config, extraContext);
  context['aws:cdk:bundling-stacks'] = [];
  const built = buildApp({ context, extend: addExamples });
  built.app.synth();
  return built.app;
}

describe('every acknowledgement matches a finding: none silences a finding that does not exist yet', () => {
  test.each([
    ['the default app', {}, {}],
    ['with tracing', { tracing: true }, {}],
    ['with linked WABAs', { linkedWabas: ['waba-0123456789abcdef'] }, {}],
    [
      'with the keyword example',
      {},
      { keywordReply: { enabled: true, keywords: { hours: 'We are open 9 to 5' } } },
    ],
  ])('%s', (_name, config, extra) => {
    const root = app(config, extra);
    const used = usedAcknowledgements(root);
    // An acknowledgement on a parent construct covers every resource under it: it is used when any is.
    expect(acknowledgements(root).filter((a) => !used.has(a))).toEqual([]);
  });
});

test("with tracing on, a later grant on Resource * is still reported: X-Ray's acknowledgement covers its own policy alone", () => {
  const context = synthContext({ tracing: true });
  context['aws:cdk:bundling-stacks'] = [];
  const { app: root, stack } = buildApp({ context, extend: addExamples });
  stack.pipeline.processor.function.function.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
  );
  root.synth();
  const result = new AwsSolutionsChecks().validateScope(root);
  expect(
    result.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
  ).toContainEqual(
    expect.stringMatching(
      /^AwsSolutions-IAM5\[Resource::\*\] .*InboundProcessor\/Processor\/Role\/DefaultPolicy/,
    ),
  );
});
