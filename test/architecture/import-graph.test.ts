import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Every TypeScript source under a folder of the project. */
function sources(folder: string): string[] {
  const dir = join(ROOT, folder);
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The project folders a file imports from (its relative imports, resolved). */
function importedFolders(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/\bfrom\s+'(\.[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).split('/')[0] ?? '');
}

function violations(folder: string, forbidden: readonly string[]): string[] {
  return sources(folder).flatMap((file) =>
    importedFolders(file)
      .filter((target) => forbidden.includes(target))
      .map((target) => `${file} imports ${target}/`),
  );
}

describe('dependencies point one way', () => {
  test('contracts/ imports nothing else of the project', () => {
    expect(violations('contracts', ['lib', 'lambda', 'ops', 'local', 'tools', 'bench', 'test'])).toEqual([]);
  });

  test('lib/ (infrastructure) never imports the functions, the events module, examples, ops or local code', () => {
    expect(
      violations('lib', ['lambda', 'events', 'examples', 'ops', 'local', 'tools', 'bench', 'test']),
    ).toEqual([]);
  });

  test('lambda/ never imports infrastructure, examples, ops or local code', () => {
    expect(violations('lambda', ['lib', 'examples', 'ops', 'local', 'tools', 'bench', 'test'])).toEqual([]);
  });

  test("events/ (the consumers' contract) imports only the contracts", () => {
    expect(
      violations('events', ['lib', 'lambda', 'examples', 'ops', 'local', 'tools', 'bench', 'test']),
    ).toEqual([]);
  });

  test('the examples build on the library, never on the local runner or the tests', () => {
    expect(violations('examples', ['local', 'ops', 'tools', 'bench', 'test'])).toEqual([]);
  });

  test('the domain imports no adapter, handler or SDK', () => {
    const domain = sources('lambda/domain');
    const offending = domain.filter((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return /from '(\.\.\/(adapters|shared|inbound-processor|failure-recorder|waba-linker)|@aws-sdk)/.test(
        text,
      );
    });
    expect(offending).toEqual([]);
  });

  test('production ops code and its entry points never import the local runner', () => {
    expect([
      ...violations('ops', ['local', 'test', 'bench']),
      ...violations('tools', ['local', 'test', 'bench']),
    ]).toEqual([]);
  });

  test('the check sees imports: local/ does import ops/', () => {
    expect(sources('local').some((file) => importedFolders(file).includes('ops'))).toBe(true);
  });
});

describe('what the bundles load', () => {
  // zod's named `z` export is its namespace object used as a value, so a bundler keeps every
  // export it reaches: the event publisher was 442 KB of zod (locales, JSON Schema) instead of 29.
  const namedZ = (file: string) =>
    /import\s*\{\s*z\s*\}\s*from\s*'zod/.test(readFileSync(join(ROOT, file), 'utf8'));

  test('code that ships in a function imports zod as a namespace, so bundles tree-shake it', () => {
    const shipped = ['lambda', 'contracts', 'events', 'examples'].flatMap(sources);
    expect(shipped.filter(namedZ)).toEqual([]);
  });

  test('the check sees a named import', () => {
    expect(sources('ops').some(namedZ)).toBe(true);
  });
});
