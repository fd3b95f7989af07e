import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEALTH_RUNBOOK_SECTIONS } from '../../lambda/domain/account-health';
import { synthStack } from '../support/synth';

const runbook = readFileSync(join(__dirname, '..', '..', 'docs', 'runbook.md'), 'utf8');

describe('docs/runbook.md', () => {
  const alarmIds = Object.values(synthStack().findResources('AWS::CloudWatch::Alarm')).map((alarm) =>
    String(alarm.Properties.AlarmName).replace(/^WhatsAppPipeline-/, ''),
  );

  test.each(alarmIds)('has a section for the %s alarm, with what it means and how to fix it', (id) => {
    const section = runbook.split(/^## /m).find((s) => s.startsWith(`${id}\n`));
    expect(section).toBeDefined();
    expect(section).toContain('**Means.**');
    expect(section).toContain('**Fix');
  });

  test('lists every alarm in its table, and no alarm that does not exist', () => {
    const listed = [...runbook.matchAll(/^\| \[(\w+)\]\(#\w+\)/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...alarmIds].sort());
  });

  test.each(HEALTH_RUNBOOK_SECTIONS)('has the %s section a health alert links to', (anchor) => {
    const headings = [...runbook.matchAll(/^## (.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );
    expect(headings).toContain(anchor);
  });

  test('shows how to redrive the failure queues', () => {
    expect(runbook).toContain('## Redrive the failure queues');
    expect(runbook).toContain('npm run redrive -- --queue-url');
  });
});
