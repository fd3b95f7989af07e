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

/** The targets a file of `folder` may not import: any top-level folder but its own and `allowed`. */
function disallowed(folder: string, targets: readonly string[], allowed: readonly string[]): string[] {
  return targets.filter((target) => target !== folder && !allowed.includes(target));
}

/** Imports of `folder` into any top-level folder but itself and `allowed`: a new folder is forbidden until listed. */
function outside(folder: string, allowed: readonly string[]): string[] {
  return sources(folder).flatMap((file) =>
    disallowed(folder, importedFolders(file), allowed).map((target) => `${file} imports ${target}/`),
  );
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

  test('lib/ (infrastructure) imports only itself and the contracts', () => {
    expect(outside('lib', ['contracts'])).toEqual([]);
  });

  test("lambda/ imports only itself, the contracts and the events' contract it publishes", () => {
    expect(outside('lambda', ['contracts', 'events'])).toEqual([]);
  });

  test('the rule forbids a folder nobody listed: a fork folder imported from lambda/ is caught', () => {
    expect(
      disallowed('lambda', ['lambda', 'contracts', 'events', 'my-bot'], ['contracts', 'events']),
    ).toEqual(['my-bot']);
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
