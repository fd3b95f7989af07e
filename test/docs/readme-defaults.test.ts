import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS, parsePipelineConfig } from '../../lib/config';
import { WHATSAPP_PIPELINE_DEFAULTS } from '../../lib/whatsapp-pipeline';

/** The README's configuration table: key → the default it states (`none` for none). */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Operations'));
  const rows = [...section.matchAll(/^\| `(\w+)` +\| (.+?) +\|/gm)];
  return new Map(rows.map((row) => [row[1] ?? '', (row[2] ?? '').replace(/^`|`$/g, '')]));
}

describe("the README's configuration table", () => {
  const table = readmeDefaults();

  test('lists the keys it documents', () => {
    expect(table.size).toBeGreaterThanOrEqual(9);
  });

  test.each([...readmeDefaults()])('%s: its stated default is the construct default', (key, stated) => {
    const actual: unknown = Reflect.get(WHATSAPP_PIPELINE_DEFAULTS, key);
    if (stated === 'none') expect(actual).toBeUndefined();
    else expect(JSON.parse(stated)).toEqual(actual);
  });

  test('every construct default is in the table', () => {
    expect(Object.keys(WHATSAPP_PIPELINE_DEFAULTS).filter((key) => !table.has(key))).toEqual([]);
  });

  test('every key cdk.json accepts is in the table', () => {
    expect(CONFIG_KEYS.filter((key) => !table.has(key))).toEqual([]);
  });

  test('every key in the table is one cdk.json accepts', () => {
    for (const key of table.keys()) {
      const value = key === 'alarmEmail' ? 'ops@example.com' : Reflect.get(WHATSAPP_PIPELINE_DEFAULTS, key);
      expect(() => parsePipelineConfig({ [key]: value })).not.toThrow();
    }
  });
});
