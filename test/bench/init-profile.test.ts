import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import {
  attributeProfile,
  type CpuProfile,
  INIT_SHARES,
  lineSources,
  profileInit,
  shareOfFrame,
  shareOfSource,
} from '../../bench/init-profile';

const ROOT = resolve(__dirname, '..', '..');

describe('shareOfSource', () => {
  test.each([
    ['../../node_modules/zod/v4/core/core.js', 'zod'],
    ['../../node_modules/@smithy/core/dist-es/submodules/client/command.js', 'AWS SDK'],
    ['../../node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js', 'AWS SDK'],
    ['../../node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js', 'Powertools'],
    ['../../node_modules/mnemonist/lru-cache.js', 'other libraries'],
    ['../../lambda/domain/decode.ts', 'our code'],
    ['../../contracts/table.ts', 'our code'],
  ])('%s counts for %s', (source, share) => {
    expect(shareOfSource(source)).toBe(share);
  });

  test("generated code (esbuild's helpers) counts on its own", () => {
    expect(shareOfSource(undefined)).toBe('bundle code without a source (module wrappers)');
  });
});

describe('shareOfFrame', () => {
  test.each([
    [{ functionName: 'wrapSafe', url: 'node:internal/modules/cjs/loader' }, 'compiling the bundle'],
    [{ functionName: '(garbage collector)', url: '' }, 'garbage collection'],
    [
      { functionName: 'compileForInternalLoader', url: 'node:internal/bootstrap/realm' },
      "Node's built-in modules",
    ],
    [{ functionName: '(program)', url: '' }, 'Node start and the rest'],
  ])('%j counts for %s', (frame, share) => {
    expect(shareOfFrame(frame)).toBe(share);
  });
});

describe('attributeProfile', () => {
  const BUNDLE = 'file:///asset/index.js';
  const frame = (functionName: string, url: string, lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
    columnNumber: 0,
  });
  // One millisecond per sample: (program), wrapSafe twice, a bundle function with ticks on two
  // lines (3 and 1), and one without ticks.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(program)', '') },
      { id: 2, callFrame: frame('wrapSafe', 'node:internal/modules/cjs/loader') },
      {
        id: 3,
        callFrame: frame('init', BUNDLE, 2),
        positionTicks: [
          { line: 3, ticks: 3 },
          { line: 5, ticks: 1 },
        ],
      },
      { id: 4, callFrame: frame('send', BUNDLE, 7) },
    ],
    samples: [1, 2, 2, 3, 3, 3, 3, 4],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };
  const sources: Record<number, string> = {
    2: 'node_modules/zod/v4/core/core.js',
    4: 'lambda/domain/decode.ts',
    7: 'node_modules/@aws-sdk/client-socialmessaging/dist-es/index.js',
  };

  test("splits a bundle function's time over the sources of its lines by their ticks", () => {
    const shares = attributeProfile(profile, BUNDLE, (line) => sources[line]);
    expect(shares.get('zod')).toBeCloseTo(3);
    expect(shares.get('our code')).toBeCloseTo(1);
  });

  test("counts a bundle function without ticks for its own line's source", () => {
    expect(attributeProfile(profile, BUNDLE, (line) => sources[line]).get('AWS SDK')).toBeCloseTo(1);
  });

  test('counts samples outside the bundle by their frames', () => {
    const shares = attributeProfile(profile, BUNDLE, (line) => sources[line]);
    expect(shares.get('compiling the bundle')).toBeCloseTo(2);
    expect(shares.get('Node start and the rest')).toBeCloseTo(1);
  });

  test('without a bundle, no frame is read as bundle code', () => {
    const shares = attributeProfile(profile, undefined, (line) => sources[line]);
    expect([...shares.keys()].sort()).toEqual(['Node start and the rest', 'compiling the bundle']);
  });
});

describe('lineSources and profileInit, on a bundle of their own', () => {
  let dir: string;
  let bundle: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'init-profile-'));
    bundle = join(dir, 'busy.cjs');
    // 250 ms of work at module scope, in a file of the project's own: far more than Node's own start
    // even on a loaded machine, so the share below does not depend on the load (60 ms did).
    buildSync({
      absWorkingDir: ROOT,
      stdin: {
        contents:
          "import { median } from './bench/stats';\nconst end = Date.now() + 250;\nlet spins = 0;\nwhile (Date.now() < end) spins = median([spins, 1, 2]);\nexport const done = spins;\n",
        resolveDir: ROOT,
        sourcefile: 'busy.ts',
        loader: 'ts',
      },
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minifyIdentifiers: true,
      minifySyntax: true,
      sourcemap: 'linked',
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("gives each line of the bundle the file it came from, and none to esbuild's own", () => {
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
    const sourceOf = lineSources(
      bundle,
      new SourceMap({ file: bundle, sourceRoot: '', sourcesContent: [], ...map }),
    );
    const lines = readFileSync(bundle, 'utf8').split('\n');
    const medianLine = lines.findIndex((line) => line.includes('.sort('));
    expect(sourceOf(medianLine)).toMatch(/bench\/stats\.ts$/);
    const helperLine = lines.findIndex((line) => line.includes('Object.getOwnPropertyNames'));
    expect(helperLine).toBeGreaterThanOrEqual(0);
    expect(sourceOf(helperLine)).toBeUndefined();
  });

  test('puts the work of the bundle down to the code that did it', () => {
    const profile = profileInit(bundle, {}, 1, join(dir, 'cpu'));
    expect([...profile.shares.keys()]).toEqual([...INIT_SHARES]);
    expect(profile.shares.get('our code')).toBeGreaterThan(30);
  });
});
