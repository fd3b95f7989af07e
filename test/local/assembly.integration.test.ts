import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAQ } from '../../examples/faq-hook/answers';
import { SynthError, synthesizeAssembly } from '../../local/assembly';

/** `npm start`, the bench and the tests synthesize bin/app.ts itself, as `cdk synth` does. */
describe('the local assembly is the deployed app', () => {
  const dirs: string[] = [];
  const outdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-assembly-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("bin/app.ts's extensions ship: the FAQ hook, when its context key is on, is in the processor's bundle", () => {
    const bundleOf = (context: Record<string, unknown>) =>
      readFileSync(
        synthesizeAssembly(outdir(), undefined, context).function('InboundProcessor/Processor').bundlePath,
        'utf8',
      );
    const answer = FAQ[0]?.answer ?? '';
    expect(bundleOf({ 'faqHook.enabled': 'true' })).toContain(answer);
    expect(bundleOf({})).not.toContain(answer);
  }, 120_000);

  test("a configuration error is the app's own one-line message", () => {
    expect(() => synthesizeAssembly(outdir(), { dataRetentionDays: 0 })).toThrow(
      new SynthError(
        'Invalid configuration in cdk.json context "whatsappPipeline":\n  - "dataRetentionDays" is 0: expected a whole number of days from 1 to 3650',
      ),
    );
  }, 60_000);
});
