import { App, type AppProps } from 'aws-cdk-lib';
import {
  CONFIG_CONTEXT_KEY,
  ConfigValidationError,
  type PipelineConfig,
  parsePipelineConfig,
} from './config';
import type { MessageHookEntry } from './constructs/message-hooks';
import { WhatsAppPipelineStack } from './whatsapp-pipeline-stack';

/** The name of the stack `cdk deploy` creates without a stage. */
export const STACK_NAME = 'WhatsAppPipeline';

/** The context key that selects a stage: `cdk deploy -c stage=dev`. */
export const STAGE_CONTEXT_KEY = 'stage';

/** The key, under the configuration, of the per-stage settings merged over the rest. */
export const STAGES_KEY = 'stages';

/** The stack name of a stage: `WhatsAppPipeline-<stage>`, or `WhatsAppPipeline` without one. */
export function stackNameOf(stage: string | undefined): string {
  return stage === undefined ? STACK_NAME : `${STACK_NAME}-${stage}`;
}

/** A stage's place: when given, the stack is pinned to it and ARNs are checked against it. */
export interface StageEnvironment {
  readonly account?: string;
  readonly region?: string;
}

/**
 * The configuration the context describes, in every form the CDK CLI can give it:
 * - `cdk.json`'s `whatsappPipeline` object;
 * - `-c whatsappPipeline='{"alarmEmail":"ops@example.com"}'`: the CLI passes a string, read as JSON;
 * - `-c whatsappPipeline.alarmEmail=ops@example.com`: one key each, merged over the above; a value
 *   that reads as JSON (`30`, `true`, `["waba-1"]`) is taken as such, anything else as a string;
 * - `-c stage=prod`: `whatsappPipeline.stages.prod` merged over everything else, and the stack
 *   named `WhatsAppPipeline-prod`; a stage may pin `account` and `region`.
 *
 * @throws ConfigValidationError naming each problem, in one message
 */
export function configFromContext(context: Readonly<Record<string, unknown>>): {
  config: PipelineConfig;
  stage?: string;
  environment: StageEnvironment;
} {
  let base = context[CONFIG_CONTEXT_KEY];
  if (typeof base === 'string') {
    try {
      base = JSON.parse(base);
    } catch (error) {
      throw new ConfigValidationError(
        `Invalid configuration in context "${CONFIG_CONTEXT_KEY}": it is a string that is not JSON (${error instanceof Error ? error.message : String(error)}). Quote the whole object: -c ${CONFIG_CONTEXT_KEY}='{"alarmEmail":"ops@example.com"}'`,
      );
    }
  }
  if (!isObject(base) && base !== undefined) {
    throw new ConfigValidationError(
      `Invalid configuration in context "${CONFIG_CONTEXT_KEY}": expected an object, got ${JSON.stringify(base)}`,
    );
  }
  let merged: Record<string, unknown> = isObject(base) ? { ...base } : {};
  const prefix = `${CONFIG_CONTEXT_KEY}.`;
  for (const [key, value] of Object.entries(context)) {
    if (!key.startsWith(prefix)) continue;
    merged = setPath(
      merged,
      key.slice(prefix.length).split('.'),
      typeof value === 'string' ? jsonOrString(value) : value,
    );
  }

  const stageValue = context[STAGE_CONTEXT_KEY];
  const stage = stageValue === undefined || stageValue === '' ? undefined : String(stageValue);
  const { [STAGES_KEY]: stages, ...rest } = merged;
  if (stages !== undefined && !isObject(stages)) {
    throw new ConfigValidationError(
      `Invalid configuration: "${CONFIG_CONTEXT_KEY}.${STAGES_KEY}" must be an object of stages`,
    );
  }
  if (stage !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,31}$/.test(stage)) {
    throw new ConfigValidationError(
      `Invalid stage "${stage}": expected a letter, then up to 31 letters, digits or dashes (it names the stack)`,
    );
  }
  const stageSettings = stage === undefined ? {} : (stages?.[stage] ?? {});
  if (!isObject(stageSettings)) {
    throw new ConfigValidationError(
      `Invalid configuration: "${CONFIG_CONTEXT_KEY}.${STAGES_KEY}.${stage}" must be an object`,
    );
  }
  const { account, region, ...settings } = stageSettings;
  const environment = stageEnvironment(stage, account, region);
  return { config: parsePipelineConfig(deepMerge(rest, settings)), stage, environment };
}

function stageEnvironment(stage: string | undefined, account: unknown, region: unknown): StageEnvironment {
  const problems: string[] = [];
  if (account !== undefined && !(typeof account === 'string' && /^\d{12}$/.test(account))) {
    problems.push(
      `"${STAGES_KEY}.${stage}.account" is ${JSON.stringify(account)}: expected a 12-digit account id`,
    );
  }
  if (region !== undefined && !(typeof region === 'string' && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region))) {
    problems.push(
      `"${STAGES_KEY}.${stage}.region" is ${JSON.stringify(region)}: expected a region such as "eu-west-1"`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigValidationError(
      `Invalid configuration in cdk.json context "${CONFIG_CONTEXT_KEY}":\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return {
    ...(typeof account === 'string' ? { account } : {}),
    ...(typeof region === 'string' ? { region } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonOrString(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function setPath(
  root: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...tail] = path;
  if (head === undefined || head === '') return root;
  if (tail.length === 0) return { ...root, [head]: value };
  const child = root[head];
  return { ...root, [head]: setPath(isObject(child) ? child : {}, tail, value) };
}

/** Objects merge key by key; anything else (arrays included) is replaced. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/**
 * Builds the CDK app: reads the configuration from the context, then defines the stack of the
 * selected stage. Without a stage's `account` and `region`, the stack is environment-agnostic, so
 * synthesis needs neither credentials nor network.
 *
 * @throws ConfigValidationError when the configuration is invalid
 */
export function buildApp(
  props: AppProps & {
    /** Adds what the app builds on the pipeline (bin/app.ts adds the enabled examples). */
    readonly extend?: (stack: WhatsAppPipelineStack) => void;
    /** The processor's hooks, from the app's context (bin/app.ts adds the enabled example hooks). */
    readonly messageHooks?: (context: Readonly<Record<string, unknown>>) => readonly MessageHookEntry[];
  } = {},
): { app: App; stack: WhatsAppPipelineStack } {
  const { extend, messageHooks, ...appProps } = props;
  const app = new App(appProps);
  const { config, stage, environment } = configFromContext(app.node.getAllContext());
  const stack = new WhatsAppPipelineStack(app, stackNameOf(stage), {
    config,
    messageHooks: messageHooks?.(app.node.getAllContext()),
    description: `WhatsApp event pipeline behind AWS End User Messaging Social${stage === undefined ? '' : ` (${stage})`}`,
    ...(environment.account !== undefined || environment.region !== undefined ? { env: environment } : {}),
  });
  extend?.(stack);
  return { app, stack };
}
