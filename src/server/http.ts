// The daemon's HTTP surface: OTLP/HTTP receiver, Prometheus endpoints, JSON API, event stream, health.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { encodeExportResponse, encodeStatus, responseObject, type Signal } from '../sources/otlp/proto.js';
import { implausibility, type UsageEvent } from '../core/event.js';
import { LimitError } from '../core/limits.js';
import { Api, ApiError } from './api.js';
import { proxyHandler, proxyRoute, type ProxyOptions, type ProxyStats } from './proxy.js';
import type { StatusData, StatusInput } from './status.js';
import { SESSION_COOKIE, type Guard, type GuardRequest } from './guard.js';
import type { MetricsExposition } from './metrics.js';
import { decodeBody, decompress, MAX_BODY_BYTES, ReceiveError, type OtlpReceiver } from './otlp-receiver.js';
import type { StreamHub } from './stream.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface HttpParts {
  guard: Guard;
  receiver: OtlpReceiver;
  metrics: MetricsExposition;
  api: Api;
  stream: StreamHub;
  health: () => Record<string, unknown>;
  log: (msg: string) => void;
  /** Makes everything already accepted visible to reads (read-your-writes for a sender that then asks). */
  beforeRead: () => Promise<void>;
  /** Stores usage pushed by `tokenmeter ingest`. */
  ingest: (events: UsageEvent[]) => Promise<void>;
  /** The built dashboard (index.html, app.js, style.css, uplot.css), or null when it is not there. */
  webRoot: string | null;
  /** The API proxy, when mounted. */
  proxy?: { options: ProxyOptions; stats: ProxyStats };
  /** What `tokenmeter statusline` shows for a status-line input. */
  statusline: (input: StatusInput, query: Record<string, string | undefined>) => Promise<StatusData>;
  /** A Model Context Protocol server for one /mcp request (stateless Streamable HTTP). */
  mcp?: () => Promise<McpServer>;
}

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** An OTLP/HTTP error: a google.rpc.Status in the request's own encoding. */
function otlpError(reply: FastifyReply, status: number, grpcCode: number, message: string, protobuf: boolean) {
  if (protobuf) return reply.code(status).type(PROTOBUF).send(Buffer.from(encodeStatus(grpcCode, message)));
  return reply.code(status).type(JSON_TYPE).send({ code: grpcCode, message });
}

/** Why an event is not one `tokenmeter ingest` could have sent, or null: counts, strings and a plausible request. */
function pushedEventProblem(e: unknown, now: number): string | null {
  if (!e || typeof e !== 'object' || Array.isArray(e)) return 'not an object';
  const v = e as Record<string, unknown>;
  for (const k of ['ts', 'input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'reasoning']) {
    if (typeof v[k] !== 'number') return `${k} is not a number`;
  }
  for (const k of ['tool', 'host', 'sessionId', 'project', 'model', 'dedupKey']) if (typeof v[k] !== 'string') return `${k} is not a string`;
  if (v.source !== 'hook') return 'source is not "hook"';
  if (v.speed !== 'standard' && v.speed !== 'fast') return 'speed is not "standard" or "fast"';
  return implausibility(v as unknown as UsageEvent, now);
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** What the guard looks at in a request. `otlp`: an OTLP export or a proxied API call, whose senders cannot send our token. */
function guardRequest(req: IncomingMessage, otlp: boolean): GuardRequest {
  const path = (req.url ?? '').split('?')[0];
  return {
    method: req.method, hostHeader: req.headers.host, origin: header(req.headers.origin),
    fetchSite: header(req.headers['sec-fetch-site']), fetchMode: header(req.headers['sec-fetch-mode']),
    remoteAddress: req.socket.remoteAddress, authorization: req.headers.authorization, cookie: req.headers.cookie, otlp,
    page: (req.method === 'GET' || req.method === 'HEAD') && PAGE_FILES.has(path ?? ''),
  };
}

/** The dashboard's own files: served without the token, so that its page can trade the token for a session. */
const PAGE_FILES = new Set(['/', '/app.js', '/style.css', '/uplot.css', '/favicon.ico']);

/** A state-changing endpoint takes JSON only: a page's form or `no-cors` fetch cannot send that type. */
function refuseNonJson(req: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  if (mediaType(req) === JSON_TYPE) return null;
  return reply.code(415).type(JSON_TYPE).send({ error: `Content-Type "${mediaType(req) || '(none)'}" is not ${JSON_TYPE}` });
}

/** The keep-alive fastify gives the servers it makes (72 s): clients polling every few seconds keep their connection. */
function withKeepAlive(server: Server): Server {
  server.keepAliveTimeout = 72_000;
  return server;
}

export function buildHttpApp(p: HttpParts): FastifyInstance {
  const proxy = p.proxy ? proxyHandler(p.proxy.options, p.proxy.stats) : null;
  const app = Fastify({
    logger: false, bodyLimit: MAX_BODY_BYTES, forceCloseConnections: true, return503OnClosing: true,
    // Proxied API calls go straight to the proxy, ahead of the framework: a millisecond matters on that path.
    serverFactory: (handler) => withKeepAlive(createServer((req, res) => {
      const kind = proxy ? proxyRoute(req.url) : null;
      if (!kind) return handler(req, res);
      // The same rules as every endpoint; API clients send their own key, not our token, so loopback is trusted.
      const verdict = p.guard.check(guardRequest(req, true));
      if (!verdict.ok) {
        res.writeHead(verdict.status, { 'content-type': JSON_TYPE }).end(JSON.stringify({ error: verdict.message }));
        return;
      }
      proxy!(req, res, kind);
    })),
  });

  // Bodies stay raw: they may be gzip, and OTLP decides how to read them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    // OTLP senders cannot send our token.
    const verdict = p.guard.check(guardRequest(req.raw, req.method === 'POST' && req.url.startsWith('/v1/')));
    if (!verdict.ok) {
      p.log(`refused ${req.method} ${req.url} from ${req.socket.remoteAddress}: ${verdict.message}`);
      return reply.code(verdict.status).type(JSON_TYPE).send({ error: verdict.message });
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (req.method === 'POST' && req.url.startsWith('/v1/')) {
      const signal = req.url.startsWith('/v1/logs') ? 'logs' : 'metrics';
      p.receiver.count(signal, 'http', status);
      const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `body larger than ${MAX_BODY_BYTES} bytes` : err.message;
      return otlpError(reply, status, status === 413 ? 8 : 3, message, mediaType(req) === PROTOBUF);
    }
    if (status >= 500) p.log(`${req.method} ${req.url}: ${err.stack ?? err.message}`);
    return reply.code(status).type(JSON_TYPE).send({ error: err.message });
  });

  // Reads see everything accepted so far; if the store cannot bring its figures up to date (a full disk, a broken
  // index), they are served as they are rather than not at all: /metrics must still show the failures.
  const catchUp = () => p.beforeRead().catch((e: Error) => p.log(`bringing the figures up to date failed: ${e.message}`));
  app.addHook('preHandler', async (req) => {
    if (req.method === 'GET') await catchUp();
  });

  const otlpRoute = (signal: Signal) => async (req: FastifyRequest, reply: FastifyReply) => {
    const type = mediaType(req);
    const protobuf = type === PROTOBUF;
    if (!protobuf && type !== JSON_TYPE) {
      p.receiver.count(signal, 'http', 415);
      return otlpError(reply, 415, 3, `Content-Type "${type || '(none)'}" is not ${PROTOBUF} or ${JSON_TYPE}`, false);
    }
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const body = decodeBody(signal, decompress(raw, req.headers['content-encoding'] as string | undefined), protobuf ? 'protobuf' : 'json');
      const partial = await p.receiver.receive(signal, body);
      p.receiver.count(signal, 'http', 200);
      if (protobuf) return reply.code(200).type(PROTOBUF).send(Buffer.from(encodeExportResponse(signal, partial)));
      return reply.code(200).type(JSON_TYPE).send(responseObject(signal, partial));
    } catch (e) {
      if (e instanceof ReceiveError) {
        p.receiver.count(signal, 'http', e.httpStatus);
        return otlpError(reply, e.httpStatus, e.grpcCode, e.message, protobuf);
      }
      // The store could not take it: the sender keeps the data and retries.
      p.receiver.count(signal, 'http', 503);
      p.log(`otlp ${signal}: could not store an export: ${(e as Error).message}`);
      return otlpError(reply.header('Retry-After', '5'), 503, 14, 'temporarily unable to store; retry', protobuf);
    }
  };
  app.post('/v1/metrics', otlpRoute('metrics'));
  app.post('/v1/logs', otlpRoute('logs'));
  // Traces: usage from spans that follow the GenAI semantic conventions (any instrumented app).
  app.post('/v1/traces', otlpRoute('traces'));

  // The dashboard. Its own files only, under a strict policy: no inline script or style, no other origin.
  const assets: Array<[string, string, string]> = [['/', 'index.html', 'text/html; charset=utf-8'], ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'style.css', 'text/css; charset=utf-8'], ['/uplot.css', 'uplot.css', 'text/css; charset=utf-8']];
  for (const [route, file, type] of assets) {
    app.get(route, async (_req, reply) => {
      let body: Buffer;
      try {
        if (!p.webRoot) throw new Error('no dashboard');
        body = readFileSync(join(p.webRoot, file));
      } catch {
        return reply.code(404).type('text/plain; charset=utf-8').send('The dashboard is not built: run npm run build. The API is at /api/summary.\n');
      }
      return reply.type(type)
        .header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        .header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-cache')
        .send(body);
    });
  }

  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());

  app.get('/v1/metrics', async (_req, reply) => reply.type(PROMETHEUS_TYPE).send(await p.metrics.seedText()));
  app.get('/metrics', async (_req, reply) => reply.type(PROMETHEUS_TYPE).send(await p.metrics.text()));
  app.get('/healthz', async () => ({ status: 'ok', ...p.health() }));

  const apiRoute = (fn: (q: Record<string, string | undefined>) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return reply.type(JSON_TYPE).send(await fn(req.query as Record<string, string | undefined>));
    } catch (e) {
      if (e instanceof ApiError) return reply.code(e.status).send({ error: e.message });
      throw e;
    }
  };
  app.get('/api/summary', apiRoute((q) => p.api.summary(q)));
  app.get('/api/usage', apiRoute((q) => p.api.usage(q)));
  app.get('/api/blocks', apiRoute((q) => p.api.blocks(q)));
  app.get('/api/servers', apiRoute(() => p.api.servers()));
  app.get('/api/sources', apiRoute(async () => p.api.sources()));
  app.get('/api/budgets', apiRoute(() => p.api.budgets()));
  // MCP over Streamable HTTP, stateless: a server and a transport per request, JSON answers (no stream to keep).
  app.post('/mcp', async (req, reply) => {
    if (!p.mcp) return reply.code(404).send({ error: 'no MCP server here' });
    if (refuseNonJson(req, reply)) return reply;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    } catch {
      return reply.code(400).send({ jsonrpc: '2.0', error: { code: -32700, message: 'the body is not JSON' }, id: null });
    }
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
    const server = await p.mcp();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req.raw, reply.raw, body);
  });
  app.post('/api/ingest', async (req, reply) => {
    if (refuseNonJson(req, reply)) return reply;
    let pushed: unknown[];
    try {
      const body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as { events?: unknown };
      if (!Array.isArray(body?.events)) throw new Error('no "events" array');
      pushed = body.events;
    } catch (e) {
      return reply.code(400).type(JSON_TYPE).send({ error: `expected {"events": [...]} as tokenmeter ingest sends: ${(e as Error).message}` });
    }
    // A bad event is refused by itself: the others in the same request are stored.
    const now = Date.now();
    const events: UsageEvent[] = [];
    const rejected: Array<{ index: number; error: string }> = [];
    pushed.forEach((e, index) => {
      const why = pushedEventProblem(e, now);
      if (why) rejected.push({ index, error: `events[${index}]: ${why}` });
      else events.push(e as UsageEvent);
    });
    if (events.length === 0 && rejected.length > 0) return reply.code(400).type(JSON_TYPE).send({ error: rejected[0]!.error, stored: 0, rejected });
    if (events.length > 0) await p.ingest(events);
    return reply.type(JSON_TYPE).send({ stored: events.length, rejected });
  });
  app.post('/api/statusline', async (req, reply) => {
    if (refuseNonJson(req, reply)) return reply;
    let input: StatusInput;
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      input = raw.trim() ? (JSON.parse(raw) as StatusInput) : {};
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('not an object');
    } catch {
      return reply.code(400).type(JSON_TYPE).send({ error: 'the body is not a status-line JSON object' });
    }
    await catchUp();
    try {
      return reply.type(JSON_TYPE).send(await p.statusline(input, req.query as Record<string, string | undefined>));
    } catch (e) {
      if (e instanceof LimitError) return reply.code(400).send({ error: `query parameter ${e.message}` });
      throw e;
    }
  });
  // The dashboard's page trades the token (from its address's fragment, which no server log sees) for a session
  // cookie its later requests carry: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it).
  app.post('/api/session', async (req, reply) => {
    if (refuseNonJson(req, reply)) return reply;
    const value = p.guard.sessionValue();
    if (!value) return reply.type(JSON_TYPE).send({ session: false, reason: 'this daemon has no token: nothing to trade' });
    if (!p.guard.hasToken(req.headers.authorization)) return reply.code(401).type(JSON_TYPE).send({ error: 'the token does not match' });
    return reply.header('Set-Cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/`).type(JSON_TYPE).send({ session: true });
  });
  app.get('/api/stream', (_req, reply) => {
    reply.hijack();
    p.stream.add(reply.raw);
  });
  return app;
}
