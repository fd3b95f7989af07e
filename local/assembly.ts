import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { buildApp, STACK_NAME } from '../lib/app';
import { CONFIG_CONTEXT_KEY } from '../lib/config';
import { type LocalTableDefinition, tablesFromTemplate } from './tables';

const PROJECT_ROOT = join(__dirname, '..');

/** The context of cdk.json (feature flags and the default pipeline configuration), as `cdk synth` passes it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = z
    .object({ context: z.record(z.string(), z.unknown()) })
    .parse(JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')));
  return { ...cdkJson.context };
}

/**
 * The context `cdk synth` gives the app: cdk.json's, plus the flags the CLI passes so resources
 * carry their construct path and asset metadata. `config` replaces the pipeline configuration.
 */
export function synthContext(config?: Record<string, unknown>): Record<string, unknown> {
  const context: Record<string, unknown> = {
    ...cdkJsonContext(),
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
  };
  if (config !== undefined) context[CONFIG_CONTEXT_KEY] = config;
  return context;
}

/** A function as the stack ships it: its bundle, handler export, timeout and literal environment. */
export interface ShippedFunction {
  /** Absolute path of the bundle's entry file (`index.js`). */
  readonly bundlePath: string;
  /** Name of the exported handler. */
  readonly exportName: string;
  readonly timeoutSeconds: number;
  /** Environment variables with literal values (references such as the table name are left out). */
  readonly environment: Readonly<Record<string, string>>;
}

const functionSchema = z.object({
  Type: z.literal('AWS::Lambda::Function'),
  Metadata: z.object({ 'aws:cdk:path': z.string(), 'aws:asset:path': z.string() }),
  Properties: z.object({
    Handler: z.string(),
    Timeout: z.number().optional(),
    Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).optional(),
  }),
});
const ruleSchema = z.object({
  Type: z.literal('AWS::Events::Rule'),
  Metadata: z.object({ 'aws:cdk:path': z.string() }),
  Properties: z.looseObject({ EventPattern: z.record(z.string(), z.unknown()) }),
});

/** A synthesized cloud assembly of the pipeline stack: what `cdk deploy` would ship. */
export class CloudAssembly {
  /** The stack's CloudFormation template. */
  public readonly template: { Resources: Record<string, unknown> };

  constructor(public readonly dir: string) {
    this.template = z
      .object({ Resources: z.record(z.string(), z.unknown()) })
      .parse(JSON.parse(readFileSync(join(dir, `${STACK_NAME}.template.json`), 'utf8')));
  }

  /** The function whose construct path contains `pathFragment`. */
  function(pathFragment: string): ShippedFunction {
    const matches = Object.values(this.template.Resources).flatMap((resource) => {
      const fn = functionSchema.safeParse(resource);
      return fn.success && fn.data.Metadata['aws:cdk:path'].includes(pathFragment) ? [fn.data] : [];
    });
    const [fn] = matches;
    if (fn === undefined || matches.length > 1) throw new Error(`expected one function at ${pathFragment}`);
    const [file, exportName] = fn.Properties.Handler.split('.');
    if (file === undefined || exportName === undefined)
      throw new Error(`bad handler ${fn.Properties.Handler}`);
    const environment = Object.fromEntries(
      Object.entries(fn.Properties.Environment?.Variables ?? {}).flatMap(([k, v]) =>
        typeof v === 'string' ? [[k, v]] : [],
      ),
    );
    return {
      bundlePath: join(this.dir, fn.Metadata['aws:asset:path'], `${file}.js`),
      exportName,
      timeoutSeconds: fn.Properties.Timeout ?? 3,
      environment,
    };
  }

  /** The stack's only DynamoDB table, reduced to what DynamoDB Local needs. */
  table(): LocalTableDefinition {
    const [table, ...others] = tablesFromTemplate(this.template);
    if (table === undefined || others.length > 0) throw new Error('expected exactly one table in the stack');
    return table;
  }

  /** The EventBridge rule whose construct path contains `pathFragment`: its pattern. */
  rule(pathFragment: string): { pattern: Record<string, unknown> } {
    const rule = Object.values(this.template.Resources)
      .map((resource) => ruleSchema.safeParse(resource))
      .find((r) => r.success && r.data.Metadata['aws:cdk:path'].includes(pathFragment));
    if (rule === undefined || !rule.success) throw new Error(`expected a rule at ${pathFragment}`);
    return { pattern: rule.data.Properties.EventPattern };
  }
}

/**
 * Synthesizes the app into `outdir` exactly as `cdk synth` does (templates and the bundles the
 * stack ships), with cdk.json's context and, optionally, another pipeline configuration.
 */
export function synthesizeAssembly(outdir: string, config?: Record<string, unknown>): CloudAssembly {
  const { app } = buildApp({ context: synthContext(config), outdir });
  app.synth();
  return new CloudAssembly(outdir);
}
