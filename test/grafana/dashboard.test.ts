// grafana/tokenmeter.json: importable (a datasource input, unique panel ids), and every metric its queries use is one
// the daemon exposes on /metrics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'grafana', 'tokenmeter.json'), 'utf8'));
let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.stop();
});

describe('the Grafana dashboard', () => {
  it('imports with a Prometheus datasource chosen at import time', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.datasource.uid).toBe('${DS_PROMETHEUS}');
  });

  it('queries only metrics tokenmeter serve exposes', async () => {
    const exposed = new Set([...(await (await d.get('/metrics')).text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));
    exprs.push(...dashboard.templating.list.map((v: { definition: string }) => v.definition));
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(tokenmeter_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(exposed.has(name), name).toBe(true);
    // The panels the issue names are there.
    const titles = dashboard.panels.map((p: { title: string }) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Token rate by type', 'Cost per hour by model', '5-hour window', 'Per host', 'Requests per minute by tool']));
  });
});
