// A loopback stand-in for the Anthropic and OpenAI APIs, answering in their recorded shapes: Messages (JSON and SSE
// with several cumulative message_delta events, cache writes by lifetime, server tool use), Chat Completions (JSON,
// SSE with a final usage chunk), Responses (JSON, SSE ending in response.completed). `x-fake` asks for trouble:
// `429`, `500`, `reset` (the connection dies mid-stream), `slow` (chunks 150 ms apart).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  aborted: boolean;
}

export interface FakeUpstream {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export const ANTHROPIC_USAGE = {
  start: { input_tokens: 2095, cache_creation_input_tokens: 2100, cache_read_input_tokens: 41237, cache_creation: { ephemeral_5m_input_tokens: 1800, ephemeral_1h_input_tokens: 300 }, output_tokens: 1, service_tier: 'standard' },
  // Cumulative, as the API sends them: the last is the final figure.
  deltas: [{ output_tokens: 120 }, { output_tokens: 503, server_tool_use: { web_search_requests: 1 } }],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sse(res: ServerResponse, events: Array<[string | null, unknown]>, mode: string | undefined): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_fake_stream', 'x-request-id': 'req_fake_stream' });
  for (let i = 0; i < events.length; i++) {
    const [name, data] = events[i]!;
    res.write(`${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    if (mode === 'slow') await sleep(150);
    if (mode === 'reset' && i === 2) {
      res.socket?.destroy();
      return;
    }
  }
  res.end();
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const rec: Received = { method: req.method!, url: req.url!, headers: req.headers, body, aborted: false };
      received.push(rec);
      res.on('close', () => {
        if (!res.writableFinished) rec.aborted = true;
      });
      const mode = req.headers['x-fake'] as string | undefined;
      if (mode === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7', 'request-id': 'req_fake_429' });
        res.end('{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}');
        return;
      }
      if (mode === '500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"type":"error","error":{"type":"api_error","message":"Internal server error"}}');
        return;
      }
      const j = body ? (JSON.parse(body) as Record<string, any>) : {};
      const model = j.model ?? 'unknown';
      if (req.url!.startsWith('/v1/messages')) {
        // The same request gets the same id (byte-for-byte comparisons), another request another id.
        const message = { id: `msg_01Fake${createHash('sha1').update(body).digest('hex').slice(0, 12)}`, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'Hello from the stand-in.' }], stop_reason: 'end_turn', stop_sequence: null };
        if (!j.stream) {
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake_json' });
          res.end(JSON.stringify({ ...message, usage: { ...ANTHROPIC_USAGE.start, output_tokens: 503, server_tool_use: { web_search_requests: 1 } } }));
          return;
        }
        await sse(res, [
          ['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: ANTHROPIC_USAGE.start } }],
          ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
          ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello from ' } }],
          ['message_delta', { type: 'message_delta', delta: { stop_reason: null }, usage: ANTHROPIC_USAGE.deltas[0] }],
          ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'the stand-in.' } }],
          ['content_block_stop', { type: 'content_block_stop', index: 0 }],
          ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: ANTHROPIC_USAGE.deltas[1] }],
          ['message_stop', { type: 'message_stop' }],
        ], mode);
        return;
      }
      if (req.url!.startsWith('/v1/chat/completions')) {
        const usage = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 128 } };
        if (!j.stream) {
          res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_chat_json' });
          res.end(JSON.stringify({ id: 'chatcmpl-fake1', object: 'chat.completion', created: 1772460000, model, choices: [{ index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop' }], usage }));
          return;
        }
        const chunk = (delta: object, finish: string | null, u: object | null = null) => ({ id: 'chatcmpl-fake2', object: 'chat.completion.chunk', created: 1772460000, model, choices: finish === 'usage' ? [] : [{ index: 0, delta, finish_reason: finish }], usage: u });
        await sse(res, [
          [null, chunk({ role: 'assistant', content: '' }, null)], [null, chunk({ content: 'Hi' }, null)], [null, chunk({ content: ' there.' }, null)],
          [null, chunk({}, 'stop')], ...(j.stream_options?.include_usage ? [[null, chunk({}, 'usage', usage)] as [null, unknown]] : []), [null, '[DONE]'],
        ], mode);
        return;
      }
      if (req.url!.startsWith('/v1/responses')) {
        const usage = { input_tokens: 5000, input_tokens_details: { cached_tokens: 4096 }, output_tokens: 700, output_tokens_details: { reasoning_tokens: 512 }, total_tokens: 5700 };
        const response = { id: 'resp_fake1', object: 'response', created_at: 1772460000, status: 'completed', model, output: [{ type: 'message', id: 'msg_x', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] }], usage };
        if (!j.stream) {
          res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_resp_json' });
          res.end(JSON.stringify(response));
          return;
        }
        await sse(res, [
          ['response.created', { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', output: [], usage: null } }],
          ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_x', output_index: 0, content_index: 0, delta: 'Done.' }],
          ['response.completed', { type: 'response.completed', sequence_number: 2, response }],
        ], mode);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not here"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
