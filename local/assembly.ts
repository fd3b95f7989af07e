import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { STACK_NAME } from '../lib/app';
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
export function synthContext(
  config?: Record<string, unknown>,
  extraContext: Record<string, unknown> = {},
): Record<string, unknown> {
  const context: Record<string, unknown> = {
    ...cdkJsonContext(),
    ...extraContext,
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
  /** Environment variables that refer to another resource of the stack: the logical id they refer to. */
  readonly references: Readonly<Record<string, string>>;
  /** The function's logical id in the template. */
  readonly logicalId: string;
}

/** A rule of the stack: its pattern, the bus it is on, and the functions it targets. */
export interface StackRule {
  readonly logicalId: string;
  readonly path: string;
  readonly pattern: Record<string, unknown>;
  /** The logical id of the bus, or undefined for the default bus. */
  readonly busLogicalId?: string;
  /** Logical ids of the functions among its targets. */
  readonly functionTargets: readonly string[];
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
const refSchema = z.object({ Ref: z.string() });
const getAttSchema = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) });
const ruleSchema = z.object({
  Type: z.literal('AWS::Events::Rule'),
  Metadata: z.object({ 'aws:cdk:path': z.string() }),
  Properties: z.looseObject({
    EventPattern: z.record(z.string(), z.unknown()),
    EventBusName: z.unknown().optional(),
    Targets: z.array(z.looseObject({ Arn: z.unknown() })).optional(),
  }),
});
const mappingSchema = z.object({
  Type: z.literal('AWS::Lambda::EventSourceMapping'),
  Properties: z.looseObject({
    FunctionName: refSchema,
    FilterCriteria: z.object({ Filters: z.array(z.object({ Pattern: z.string() })) }).optional(),
  }),
});

/** A synthesized cloud assembly of the pipeline stack: what `cdk deploy` would ship. */
export class CloudAssembly {
  /** The stack's CloudFormation template. */
  public readonly template: { Resources: Record<string, unknown> };

  /** The assembly's folder, absolute: bundles are loaded from it by other processes. */
  public readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.template = z
      .object({ Resources: z.record(z.string(), z.unknown()) })
      .parse(JSON.parse(readFileSync(join(dir, `${STACK_NAME}.template.json`), 'utf8')));
  }

  /** The function whose construct path contains `pathFragment`. */
  function(pathFragment: string): ShippedFunction {
    const matches = Object.entries(this.template.Resources).flatMap(([logicalId, resource]) => {
      const fn = functionSchema.safeParse(resource);
      return fn.success && fn.data.Metadata['aws:cdk:path'].includes(pathFragment)
        ? [{ logicalId, fn: fn.data }]
        : [];
    });
    const [match] = matches;
    if (match === undefined || matches.length > 1)
      throw new Error(`expected one function at ${pathFragment}`);
    return this.shipped(match.logicalId, match.fn);
  }

  /** Whether the stack has a function whose construct path contains `pathFragment`. */
  hasFunction(pathFragment: string): boolean {
    return Object.values(this.template.Resources).some((resource) => {
      const fn = functionSchema.safeParse(resource);
      return fn.success && fn.data.Metadata['aws:cdk:path'].includes(pathFragment);
    });
  }

  /** The function of a logical id. */
  functionByLogicalId(logicalId: string): ShippedFunction {
    const fn = functionSchema.safeParse(this.template.Resources[logicalId]);
    if (!fn.success) throw new Error(`${logicalId} is not a function of the stack`);
    return this.shipped(logicalId, fn.data);
  }

  /** The filter patterns of the event source mappings of the function with `logicalId`. */
  eventSourceFilters(logicalId: string): Record<string, unknown>[] {
    return Object.values(this.template.Resources).flatMap((resource) => {
      const mapping = mappingSchema.safeParse(resource);
      if (!mapping.success || mapping.data.Properties.FunctionName.Ref !== logicalId) return [];
      return (mapping.data.Properties.FilterCriteria?.Filters ?? []).map((f) =>
        z.record(z.string(), z.unknown()).parse(JSON.parse(f.Pattern)),
      );
    });
  }

  /** Every EventBridge rule of the stack. */
  rules(): StackRule[] {
    return Object.entries(this.template.Resources).flatMap(([logicalId, resource]) => {
      const rule = ruleSchema.safeParse(resource);
      if (!rule.success) return [];
      const bus = refSchema.safeParse(rule.data.Properties.EventBusName);
      return [
        {
          logicalId,
          path: rule.data.Metadata['aws:cdk:path'],
          pattern: rule.data.Properties.EventPattern,
          busLogicalId: bus.success ? bus.data.Ref : undefined,
          functionTargets: (rule.data.Properties.Targets ?? []).flatMap((t) => {
            const arn = getAttSchema.safeParse(t.Arn);
            return arn.success &&
              functionSchema.safeParse(this.template.Resources[arn.data['Fn::GetAtt'][0]]).success
              ? [arn.data['Fn::GetAtt'][0]]
              : [];
          }),
        },
      ];
    });
  }

  /** The logical id of the only resource of `type` whose construct path contains `pathFragment`. */
  logicalIdOf(type: string, pathFragment: string): string | undefined {
    const resource = z.object({ Type: z.string(), Metadata: z.object({ 'aws:cdk:path': z.string() }) });
    return Object.entries(this.template.Resources).find(([, r]) => {
      const parsed = resource.safeParse(r);
      return (
        parsed.success &&
        parsed.data.Type === type &&
        parsed.data.Metadata['aws:cdk:path'].includes(pathFragment)
      );
    })?.[0];
  }

  private shipped(logicalId: string, fn: z.infer<typeof functionSchema>): ShippedFunction {
    const [file, exportName] = fn.Properties.Handler.split('.');
    if (file === undefined || exportName === undefined)
      throw new Error(`bad handler ${fn.Properties.Handler}`);
    const variables = Object.entries(fn.Properties.Environment?.Variables ?? {});
    const environment = Object.fromEntries(
      variables.flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
    );
    const references = Object.fromEntries(
      variables.flatMap(([k, v]) => {
        const ref = refSchema.safeParse(v);
        return ref.success ? [[k, ref.data.Ref]] : [];
      }),
    );
    return {
      bundlePath: join(this.dir, fn.Metadata['aws:asset:path'], `${file}.js`),
      exportName,
      timeoutSeconds: fn.Properties.Timeout ?? 3,
      environment,
      references,
      logicalId,
    };
  }

  /** The stack's only DynamoDB table, reduced to what DynamoDB Local needs. */
  table(): LocalTableDefinition {
    const tables = tablesFromTemplate(this.template);
    const conversations = this.logicalIdOf('AWS::DynamoDB::Table', 'Conversations/Table');
    const table = tables.length === 1 ? tables[0] : tables.find((t) => t.logicalId === conversations);
    if (table === undefined) throw new Error('expected the conversation table in the stack');
    return table;
  }

  /** The stack's other tables (those of what is built on the pipeline, e.g. the examples'). */
  otherTables(): LocalTableDefinition[] {
    const conversations = this.table();
    return tablesFromTemplate(this.template).filter((t) => t.logicalId !== conversations.logicalId);
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

/** The app `cdk synth` runs (cdk.json's `app`): the entry point of the deployed app. */
export const APP_ENTRY = join(PROJECT_ROOT, 'bin', 'app.ts');

/** The app could not be synthesized; the message is what it printed. */
export class SynthError extends Error {
  public override readonly name = 'SynthError';
}

/**
 * Synthesizes the app into `outdir` exactly as `cdk synth` does: it runs bin/app.ts (with whatever
 * a fork added there: examples, hooks, subscribers) in a process of its own, handing it the output
 * folder and the context through the CDK's own variables (CDK_OUTDIR, CDK_CONTEXT_JSON), with
 * cdk.json's context and, optionally, another pipeline configuration.
 *
 * @throws SynthError with what the app printed (a configuration error's one line, or its stack trace)
 */
export function synthesizeAssembly(
  outdir: string,
  config?: Record<string, unknown>,
  extraContext: Record<string, unknown> = {},
): CloudAssembly {
  const run = spawnSync(process.execPath, [TSX_CLI, APP_ENTRY], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: resolve(outdir),
      CDK_CONTEXT_JSON: JSON.stringify(synthContext(config, extraContext)),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error !== undefined || run.status !== 0) {
    const printed = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim();
    throw new SynthError(printed === '' ? `bin/app.ts failed: ${String(run.error ?? run.status)}` : printed, {
      cause: run.error,
    });
  }
  return new CloudAssembly(outdir);
}

/** tsx, as cdk.json's `npx tsx bin/app.ts` runs it, on this process's Node. */
const TSX_CLI = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
