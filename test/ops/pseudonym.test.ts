import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Pseudonymizer } from '../../lambda/shared/privacy';
import { LOCAL_PSEUDONYM_SECRET, SocialMessagingSimulator } from '../../local/socialmessaging-simulator';
import { runCli } from '../../ops/cli';
import { endpointClientConfig } from '../../ops/endpoint';
import { PSEUDONYM_USAGE, pseudonym } from '../../ops/pseudonym';

let simulator: SocialMessagingSimulator;
beforeAll(async () => {
  simulator = await SocialMessagingSimulator.start();
});
afterAll(() => simulator.stop());

/** The command as `npm run pseudonym` runs it: exit code and everything it printed. */
async function run(argv: string[]) {
  const lines: string[] = [];
  const client = new SecretsManagerClient(endpointClientConfig(simulator.endpoint));
  const code = await runCli(
    argv,
    PSEUDONYM_USAGE,
    (args) => pseudonym(args, { print: (text) => lines.push(text), client }),
    {
      out: (text) => lines.push(text),
      err: (text) => lines.push(text),
    },
  );
  client.destroy();
  return { code, output: lines.join('\n') };
}

describe('npm run pseudonym', () => {
  const expected = new Pseudonymizer(LOCAL_PSEUDONYM_SECRET.value);

  test('gives the log pseudonym of a wamid and of a phone number, in any written form, from the secret', async () => {
    const { code, output } = await run([
      '--secret',
      LOCAL_PSEUDONYM_SECRET.arn,
      'wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQz',
      '+1 425-555-0150',
    ]);
    expect(code).toBe(0);
    expect(output).toBe(
      [
        `wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQz  ${expected.message('wamid.HBgLMTQyNTU1NTAxNTAVAgASGBQz')}`,
        `+1 425-555-0150  ${expected.customer('14255550150')}`,
      ].join('\n'),
    );
  });

  test('--help prints the usage and exits 0', async () => {
    await expect(run(['--help'])).resolves.toEqual({ code: 0, output: expect.stringContaining('usage:') });
  });

  test('a missing secret or identifier is a usage error (exit 2)', async () => {
    await expect(run(['wamid.A'])).resolves.toMatchObject({ code: 2 });
    await expect(run(['--secret', 'x'])).resolves.toMatchObject({ code: 2 });
  });

  test('an unknown flag is a usage error that names it', async () => {
    await expect(run(['--sekret', 'x', 'wamid.A'])).resolves.toEqual({
      code: 2,
      output: expect.stringContaining("'--sekret'"),
    });
  });

  test('an unknown secret fails with Secrets Manager’s own error', async () => {
    const client = new SecretsManagerClient(endpointClientConfig(simulator.endpoint));
    await expect(
      pseudonym(['--secret', 'nope', 'wamid.A'], { print: () => undefined, client }),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    client.destroy();
  });
});
