/**
 * Where a cold init goes: V8 CPU profiles of fresh processes loading a bundle, every sample put
 * down to what ran it (compiling the bundle, Node's own modules, zod, the AWS SDK, Powertools, our
 * code). The timings of cold-init.ts say how long; this says what for, so a change aimed at cold
 * init can be aimed at what costs.
 *
 * The profiled bundle is the shipped build with line breaks kept and a source map: V8 records
 * ticks per line, and a minified bundle is a few very long lines. Profiling slows every process
 * down, so the shares are the figure to read, not the milliseconds.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { runLambdaNode } from './cold-init';

/** What a sample of a cold init was spent on, in the order a report lists them. */
export const INIT_SHARES = [
  'compiling the bundle',
  "Node's built-in modules",
  'AWS SDK',
  'Powertools',
  'zod',
  'other libraries',
  'our code',
  'bundle code without a source (module wrappers)',
  'garbage collection',
  'Node start and the rest',
] as const;

/** One of {@link INIT_SHARES}. */
export type InitShare = (typeof INIT_SHARES)[number];

const callFrameSchema = z.object({
  functionName: z.string(),
  url: z.string(),
  lineNumber: z.number(),
  columnNumber: z.number(),
});
// What Node's SourceMap reads of an esbuild source map; the rest of its payload is optional there.
const sourceMapSchema = z.object({
  version: z.number(),
  sources: z.array(z.string()),
  names: z.array(z.string()),
  mappings: z.string(),
  sourcesContent: z.optional(z.array(z.string())),
});

const cpuProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: callFrameSchema,
      positionTicks: z.optional(z.array(z.object({ line: z.number(), ticks: z.number() }))),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** A V8 CPU profile as `node --cpu-prof` writes it (the fields read here). */
export type CpuProfile = z.infer<typeof cpuProfileSchema>;

/** The share of a line of the bundle, from the source file it came from (undefined: generated code). */
export function shareOfSource(source: string | undefined): InitShare {
  if (source === undefined) return 'bundle code without a source (module wrappers)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1];
  if (pkg === undefined) return 'our code';
  if (pkg === 'zod') return 'zod';
  if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/')) return 'AWS SDK';
  if (pkg.startsWith('@aws-lambda-powertools/')) return 'Powertools';
  return 'other libraries';
}

/** The share of a sample outside the bundle, from its call frame. */
export function shareOfFrame(frame: { functionName: string; url: string }): InitShare {
  // Node compiles a CommonJS module's whole source in wrapSafe: the self time there is V8's.
  if (frame.functionName === 'wrapSafe') return 'compiling the bundle';
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.url.startsWith('node:')) return "Node's built-in modules";
  return 'Node start and the rest';
}

/**
 * Milliseconds of `profile` per share. A sample in the bundle (frames of `bundleUrl`; none when
 * undefined) counts for the source of the line it hit (`sourceOfLine`, 0-based lines); its
 * function's time is split over its lines by their ticks.
 */
export function attributeProfile(
  profile: CpuProfile,
  bundleUrl: string | undefined,
  sourceOfLine: (line: number) => string | undefined,
): Map<InitShare, number> {
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const shares = new Map<InitShare, number>();
  const add = (share: InitShare, ms: number) => shares.set(share, (shares.get(share) ?? 0) + ms);
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    if (node.callFrame.url !== bundleUrl) {
      add(shareOfFrame(node.callFrame), ms);
      continue;
    }
    const ticks = node.positionTicks ?? [];
    const total = ticks.reduce((sum, t) => sum + t.ticks, 0);
    if (total === 0) {
      add(shareOfSource(sourceOfLine(node.callFrame.lineNumber)), ms);
      continue;
    }
    // positionTicks lines are 1-based; call frames and source maps are 0-based.
    for (const t of ticks) add(shareOfSource(sourceOfLine(t.line - 1)), (ms * t.ticks) / total);
  }
  return shares;
}

/** The source file each generated line comes from, by the last mapping on the line. */
export function lineSources(bundle: string, map: SourceMap): (line: number) => string | undefined {
  const lines = readFileSync(bundle, 'utf8').split('\n');
  const cache = new Map<number, string | undefined>();
  return (line) => {
    if (cache.has(line)) return cache.get(line);
    const entry = map.findEntry(line, Math.max(0, (lines[line]?.length ?? 1) - 1));
    const source =
      'generatedLine' in entry && entry.generatedLine === line && entry.originalSource !== ''
        ? entry.originalSource
        : undefined;
    cache.set(line, source);
    return source;
  };
}

/** What {@link profileInit} found: mean milliseconds per process of each share, over a bare process. */
export interface InitProfile {
  readonly runs: number;
  readonly shares: ReadonlyMap<InitShare, number>;
  readonly totalMs: number;
}

/** Mean milliseconds per share of the profiles in `dir`. */
function meanShares(
  dir: string,
  runs: number,
  bundle?: { readonly path: string; readonly sourceOfLine: (line: number) => string | undefined },
): Map<InitShare, number> {
  const urls =
    bundle === undefined ? new Set<string>() : new Set([bundle.path, pathToFileURL(bundle.path).href]);
  const sums = new Map<InitShare, number>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== runs) throw new Error(`expected ${runs} profiles in ${dir}, found ${files.length}`);
  for (const file of files) {
    const profile = cpuProfileSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const url = profile.nodes.map((n) => n.callFrame.url).find((u) => urls.has(u));
    if (bundle !== undefined && url === undefined) throw new Error(`${file} has no frame of ${bundle.path}`);
    for (const [share, ms] of attributeProfile(profile, url, bundle?.sourceOfLine ?? (() => undefined))) {
      sums.set(share, (sums.get(share) ?? 0) + ms);
    }
  }
  return new Map(INIT_SHARES.map((share): [InitShare, number] => [share, (sums.get(share) ?? 0) / runs]));
}

/**
 * Profiles `runs` fresh processes of the Lambda runtime's Node loading `bundle` (which has its
 * source map beside it, `<bundle>.map`), with `environment` as its module scope reads it, and as
 * many bare processes, interleaved; each share is the bundle's mean less the bare one's (at least 0).
 */
export function profileInit(
  bundle: string,
  environment: Readonly<Record<string, string>>,
  runs: number,
  workdir: string,
): InitProfile {
  const dirs = { bundle: join(workdir, 'bundle'), bare: join(workdir, 'bare') };
  for (const dir of Object.values(dirs)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const profile = (dir: string, args: string[], env: Readonly<Record<string, string>>) =>
    runLambdaNode(['--cpu-prof', '--cpu-prof-dir', dir, ...args], env);
  for (let i = 0; i < runs; i++) {
    profile(dirs.bare, ['-e', ''], {});
    profile(dirs.bundle, ['-e', 'require(process.argv[1])', bundle], environment);
  }
  const map = sourceMapSchema.parse(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const sourceOfLine = lineSources(
    bundle,
    new SourceMap({ file: bundle, sourceRoot: '', ...map, sourcesContent: map.sourcesContent ?? [] }),
  );
  const loaded = meanShares(dirs.bundle, runs, { path: bundle, sourceOfLine });
  const bare = meanShares(dirs.bare, runs);
  const shares = new Map(
    INIT_SHARES.map((share): [InitShare, number] => [
      share,
      Math.max(0, (loaded.get(share) ?? 0) - (bare.get(share) ?? 0)),
    ]),
  );
  return { runs, shares, totalMs: [...shares.values()].reduce((a, b) => a + b, 0) };
}
