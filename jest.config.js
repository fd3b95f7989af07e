/**
 * Two tiers. `unit`: pure code, no Java, no synth, no DynamoDB Local (npm run test:unit).
 * `integration`: real parts — DynamoDB Local, the SocialMessaging simulator, the shipped bundles and
 * synthesized templates — behind one global setup that synthesizes once and starts DynamoDB Local
 * (npm run test:integration). `npm test` runs both.
 */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'commonjs' } },
  ],
};

/** Suites that need real parts: by name, or by being infrastructure or docs checked against a template. */
const INTEGRATION = ['\\.integration\\.test\\.ts$', '/test/infra/', '/test/docs/'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30_000,
  // Two workers on two cores: suites mostly wait on DynamoDB Local and child processes, so the
  // second worker overlaps that waiting (jest's default would be one).
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION],
      setupFiles: ['<rootDir>/test/support/fake-aws-env.ts'],
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: INTEGRATION.map((pattern) =>
        pattern.startsWith('/') ? `**${pattern}**/*.test.ts` : '**/*.integration.test.ts',
      ),
      setupFiles: [
        '<rootDir>/test/support/fake-aws-env.ts',
        '<rootDir>/test/support/quiet-synth-warnings.ts',
      ],
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
