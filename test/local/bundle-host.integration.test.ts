import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleHost } from '../../local/bundle-host';

/**
 * A stand-in bundle: logs to stdout and stderr (a long line too, which a pipe delivers in several
 * chunks) and fails when asked, so the host's reading of an invocation's output can be checked.
 */
const BUNDLE = `exports.handler = async (event) => {
  console.log('out ' + event.n);
  console.error('err ' + event.n);
  if (event.long) console.log('x'.repeat(200000));
  if (event.fail) throw new Error('failed ' + event.n);
  return event.n;
};
`;

describe('BundleHost', () => {
  let dir: string;
  let host: BundleHost;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-host-'));
    writeFileSync(join(dir, 'index.js'), BUNDLE);
    host = new BundleHost({ bundlePath: join(dir, 'index.js'), exportName: 'handler', environment: {} });
    await host.start();
  });

  afterAll(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('holds every line an invocation logged, on both streams, when it resolves', async () => {
    for (let n = 0; n < 20; n++) {
      const before = host.output.length;
      await expect(host.invoke({ n })).resolves.toEqual({ ok: true, result: n });
      expect([...host.output.slice(before)].sort()).toEqual([`err ${n}`, `out ${n}`]);
    }
  });

  test('keeps a line whole when the pipe splits it', async () => {
    const before = host.output.length;
    await host.invoke({ n: 'long', long: true });
    const lines = host.output.slice(before);
    expect(lines.find((line) => line.startsWith('xx'))).toHaveLength(200000);
  });

  test("a failed invocation's lines are in too, and none of the host's own markers", async () => {
    const before = host.output.length;
    await expect(host.invoke({ n: 'bad', fail: true })).resolves.toEqual({
      ok: false,
      error: { name: 'Error', message: 'failed bad' },
    });
    expect(host.output.slice(before)).toEqual(expect.arrayContaining(['out bad', 'err bad']));
    expect(host.output.some((line) => line.includes('bundle-host:end'))).toBe(false);
  });

  test('records how long each invocation took', () => {
    expect(host.durationsMs.length).toBeGreaterThanOrEqual(22);
    expect(host.durationsMs.every((ms) => ms >= 0)).toBe(true);
  });
});
