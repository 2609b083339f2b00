// The MCP server through the SDK's own client: over stdio (`tokenmeter mcp`, the built CLI) and over the daemon's
// /mcp (Streamable HTTP), the tools answer with the figures the reports have.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBudgets } from '../../src/core/budgets.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

const today = () => new Date(Math.max(Date.now() - 60_000, Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 1000)).toISOString();
/** Two requests of one session today: $0.45 each at the database's Sonnet 4.5 prices. */
const transcript = (projects: string) => {
  mkdirSync(join(projects, '-srv-app'), { recursive: true });
  writeFileSync(join(projects, '-srv-app', 'S1.jsonl'), ['1', '2'].map((i) => assistantLine({ sessionId: 'S1', messageId: `msg_${i}`, requestId: `req_${i}`, model: 'claude-sonnet-4-5-20250929', input: 100_000, output: 10_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, timestamp: today() })).join('\n') + '\n');
};

async function exercise(client: Client) {
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  expect(tools).toEqual(['budgets', 'current_window', 'session_cost', 'usage_report', 'usage_summary']);
  const summary = await client.callTool({ name: 'usage_summary', arguments: { session_id: 'S1' } });
  expect(summary.structuredContent).toMatchObject({ today: { requests: 2, tokens: 220_000, cost: 0.9 }, session: { requests: 2, cost: 0.9 } });
  expect((summary.content as Array<{ text: string }>)[0]!.text).toContain('today: $0.90, 220,000 tokens, 2 requests');
  const report = await client.callTool({ name: 'usage_report', arguments: { period: 'model' } });
  expect(report.structuredContent).toMatchObject({ rows: [{ key: 'claude-sonnet-4-5-20250929', requests: 2, cost: 0.9 }] });
  const daily = await client.callTool({ name: 'usage_report', arguments: { period: 'day' } });
  expect(daily.structuredContent).toMatchObject({ totals: { tokens: 220_000, cost: 0.9 } });
  expect((await client.callTool({ name: 'session_cost', arguments: { session_id: 'S1' } })).structuredContent).toMatchObject({ requests: 2, cost: 0.9 });
  expect((await client.callTool({ name: 'budgets', arguments: {} })).structuredContent).toMatchObject({ budgets: [{ name: 'daily', spent: false, usd: 0.9 }] });
  const window = await client.callTool({ name: 'current_window', arguments: {} });
  expect(window.structuredContent).toMatchObject({ tool: 'claude-code' });
}

describe('the MCP server', () => {
  it('answers over stdio (tokenmeter mcp)', async () => {
    const tmp = tempDir();
    try {
      const claude = join(tmp.path, 'claude');
      transcript(join(claude, 'projects'));
      const home = join(tmp.path, 'tm');
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'config.json'), JSON.stringify({ budgets: [{ name: 'daily', period: 'day', usd: 5 }] }));
      const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: { PATH: process.env.PATH ?? '', HOME: tmp.path, CLAUDE_CONFIG_DIR: claude, TOKENMETER_HOME: home, TZ: 'UTC' }, stderr: 'ignore' });
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(transport);
      try {
        await exercise(client);
      } finally {
        await client.close();
      }
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  it('answers on the daemon’s /mcp over Streamable HTTP', async () => {
    d = await startTestDaemon({ budgets: () => parseBudgets([{ name: 'daily', period: 'day', usd: 5 }], 'c'), beforeStart: (home) => transcript(join(home, 'claude', 'projects')) });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${d.url}/mcp`)));
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  }, 60_000);
});
