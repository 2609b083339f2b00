// Builders of realistic Claude Code transcript lines (shapes from ../shared/reference/formats.md §1) and temp folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AssistantOpts {
  messageId?: string | null;
  requestId?: string | null;
  model?: string;
  timestamp?: string;
  sessionId?: string;
  cwd?: string;
  isSidechain?: boolean;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  /** Leave out the `cache_creation` split, as older versions did. */
  noSplit?: boolean;
  speed?: 'fast' | 'standard';
  costUSD?: number;
  content?: unknown[];
  /** Put `message` last instead of first, as older versions ordered keys. */
  messageLast?: boolean;
}

export function assistantLine(o: AssistantOpts = {}): string {
  const write5m = o.cacheWrite5m ?? 1820;
  const write1h = o.cacheWrite1h ?? 0;
  const usage: Record<string, unknown> = {
    input_tokens: o.input ?? 4,
    cache_creation_input_tokens: write5m + write1h,
    cache_read_input_tokens: o.cacheRead ?? 41237,
    output_tokens: o.output ?? 212,
    service_tier: 'standard',
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    inference_geo: 'us',
    iterations: [],
  };
  if (!o.noSplit) usage.cache_creation = { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h };
  if (o.speed) usage.speed = o.speed;
  const message: Record<string, unknown> = {
    ...(o.messageId === null ? {} : { id: o.messageId ?? 'msg_01HkT9' }),
    type: 'message',
    role: 'assistant',
    model: o.model ?? 'claude-sonnet-4-5-20250929',
    content: o.content ?? [{ type: 'tool_use', id: 'toolu_01Zx', name: 'Read', input: { file_path: 'src/app.ts' } }],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage,
  };
  const head = {
    parentUuid: '6f1c0000-0000-4000-8000-000000000000',
    isSidechain: o.isSidechain ?? false,
    userType: 'external',
    cwd: o.cwd ?? '/home/ana/api',
    sessionId: o.sessionId ?? '3b9e2a10-5c4d-4e8f-9a01-2d7c6b5e4f33',
    version: '2.1.197',
    gitBranch: 'main',
  };
  const tail: Record<string, unknown> = {
    type: 'assistant',
    uuid: 'a81d0000-0000-4000-8000-000000000000',
    timestamp: o.timestamp ?? '2026-03-02T14:05:11.204Z',
  };
  if (o.requestId !== null) tail.requestId = o.requestId ?? 'req_011CXa7Qm';
  if (o.costUSD !== undefined) tail.costUSD = o.costUSD;
  const line = o.messageLast ? { ...head, ...tail, message } : { ...head, message, ...tail };
  return JSON.stringify(line);
}

export function userLine(text = 'please read src/app.ts', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/ana/api',
    sessionId: '3b9e2a10-5c4d-4e8f-9a01-2d7c6b5e4f33', version: '2.1.197', type: 'user',
    message: { role: 'user', content: text }, uuid: 'u1', timestamp: '2026-03-02T14:05:01.000Z', ...extra,
  });
}

export function tempDir(prefix = 'tokenmeter-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
