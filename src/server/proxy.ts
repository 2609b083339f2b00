// The API proxy: http://127.0.0.1:4318/anthropic/… → the Anthropic API, /openai/… → the OpenAI API (upstreams
// configurable, nothing else reachable: never an open proxy). Requests and responses pass through as they are; the
// response is streamed to the client as it arrives, and its bytes are also shown to a usage observer after they
// are written. Accounting failures are counted and never touch the client's response.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import type { UsageEvent } from '../core/event.js';
import { UsageObserver, type ApiKind } from '../sources/proxy/usage.js';

export interface ProxyOptions {
  upstreams: Record<ApiKind, string>;
  /**
   * Ask OpenAI for a usage chunk in streamed chat completions whose client did not (`stream_options.include_usage`),
   * and remove that chunk from what the client receives: the only case where the proxy changes bytes.
   */
  injectStreamUsage?: boolean;
  host: string;
  /** Salt for the short API-key hash that attributes usage to a key without storing it. */
  salt: string;
  store: (e: UsageEvent) => Promise<void>;
  log: (msg: string) => void;
}

/** Per-connection headers that a proxy must not forward (RFC 9110 §7.6.1), and ours. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const USAGE_PATHS: Record<ApiKind, RegExp> = {
  anthropic: /^\/v1\/messages(\?|$)/,
  openai: /^(\/v1)?\/(chat\/completions|responses|completions)(\?|$)/,
};

export class ProxyStats {
  requests: Record<string, number> = {};
  failures: Record<string, number> = {};
  /** Accounting of finished responses not yet stored (or failed). */
  private pending = new Set<Promise<void>>();

  count(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every response that has ended is accounted for (stored or counted as a failure). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

function keyOf(headers: IncomingHttpHeaders): string | null {
  const k = headers['x-api-key'] ?? (typeof headers.authorization === 'string' ? headers.authorization.replace(/^Bearer\s+/i, '') : undefined);
  return typeof k === 'string' && k ? k : null;
}

/** The client's name: the first product of its User-Agent (`Anthropic/JS`, `OpenAI/Python`, `curl`). */
function clientOf(ua: string | undefined): string {
  const first = (ua ?? '').split(/\s+/)[0] ?? '';
  return (first.split('/').slice(0, first.startsWith('Anthropic') || first.startsWith('OpenAI') ? 2 : 1).join('/') || 'unknown').slice(0, 40);
}

/** Why the upstream could not be reached, in a few words (undici wraps the socket's error in its cause). */
function upstreamFailure(e: unknown): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.code ?? err.cause?.message ?? err.message;
}

/** Whether a request path is the proxy's: /anthropic/… or /openai/…. */
export function proxyRoute(url: string | undefined): ApiKind | null {
  const m = /^\/(anthropic|openai)(\/|\?|$)/.exec(url ?? '');
  return m ? (m[1] as ApiKind) : null;
}

/**
 * The proxy as a plain Node request handler, ahead of the HTTP framework: a request's body streams to the upstream
 * as it arrives (buffered only when --inject-stream-usage must rewrite it), and nothing sits between the two sockets
 * but this function.
 */
export function proxyHandler(o: ProxyOptions, stats: ProxyStats): (req: IncomingMessage, res: ServerResponse, kind: ApiKind) => void {
  // Kept-alive connections to the upstreams; no timeouts of our own: the client's own apply, as without the proxy.
  const agent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0, connections: 128 });
  return (req, res, kind) => void forward(req, res, kind).catch((e: Error) => {
    stats.count(stats.failures, 'internal');
    o.log(`proxy ${kind}: ${e.message}`);
    res.destroy();
  });

  async function forward(req: IncomingMessage, res: ServerResponse, kind: ApiKind): Promise<void> {
    const rest = req.url!.slice(kind.length + 1) || '/';
    const target = o.upstreams[kind].replace(/\/+$/, '') + rest;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k) || k.startsWith('x-tokenmeter-')) continue;
      headers[k] = v;
    }
    const usagePath = USAGE_PATHS[kind].test(rest);
    // The observer reads the bytes as the upstream sends them: uncompressed, for the calls that carry usage.
    if (usagePath) headers['accept-encoding'] = 'identity';
    const client = clientOf(req.headers['user-agent']);
    const session = typeof req.headers['x-tokenmeter-session'] === 'string' ? req.headers['x-tokenmeter-session'].slice(0, 200) : null;
    const project = typeof req.headers['x-tokenmeter-project'] === 'string' ? req.headers['x-tokenmeter-project'].slice(0, 500) : '';
    const key = keyOf(req.headers);
    const keyHash = key ? createHash('sha256').update(o.salt).update(key).digest('hex').slice(0, 12) : null;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && (req.headers['content-length'] !== '0');

    let body: Buffer | IncomingMessage | undefined = hasBody ? req : undefined;
    let injected = false;
    if (o.injectStreamUsage && kind === 'openai' && hasBody && /chat\/completions/.test(rest)) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = Buffer.concat(chunks);
      try {
        const j = JSON.parse(body.toString('utf8')) as { stream?: boolean; stream_options?: { include_usage?: boolean } };
        if (j.stream === true && !j.stream_options?.include_usage) {
          j.stream_options = { ...j.stream_options, include_usage: true };
          body = Buffer.from(JSON.stringify(j));
          injected = true;
        }
      } catch {
        // not JSON: forwarded as it is
      }
    }
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    else if (body && req.headers['content-length']) headers['content-length'] = req.headers['content-length'];

    const ac = new AbortController();
    let done = false;
    // The client went away before the end: the upstream request goes too.
    res.on('close', () => {
      if (!done) ac.abort();
    });
    let up;
    try {
      up = await request(target, { method: req.method as 'GET', headers, dispatcher: agent, signal: ac.signal, body });
    } catch (e) {
      done = true;
      stats.count(stats.requests, `${kind} upstream-error ${client}`);
      const why = upstreamFailure(e);
      o.log(`proxy ${kind}: ${o.upstreams[kind]}: ${why}`);
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      // An answer in the API's own error shape, so that the client's SDK says what happened.
      const message = `tokenmeter proxy: the upstream ${o.upstreams[kind]} did not answer (${why})`;
      const body = kind === 'anthropic'
        ? { type: 'error', error: { type: 'api_error', message } }
        : { error: { message, type: 'server_error', param: null, code: 'upstream_unreachable' } };
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) outHeaders[k] = v as string | string[];
    if (up.headers['content-length'] !== undefined) outHeaders['content-length'] = up.headers['content-length'] as string;
    const contentType = String(up.headers['content-type'] ?? '');
    const strip = injected && contentType.includes('text/event-stream') ? new UsageChunkFilter() : null;
    if (strip) delete outHeaders['content-length'];
    res.writeHead(up.statusCode, outHeaders);
    res.flushHeaders();
    stats.count(stats.requests, `${kind} ${up.statusCode} ${client}`);
    const observer = usagePath && up.statusCode < 400 ? new UsageObserver(kind, contentType, null) : null;
    up.body.on('data', (chunk: Buffer) => {
      // A client that reads slowly holds the upstream back: nothing piles up in this process.
      if (!res.write(strip ? strip.push(chunk) : chunk)) {
        up.body.pause();
        res.once('drain', () => up.body.resume());
      }
      observer?.feed(chunk);
    });
    up.body.on('error', (e: Error) => {
      done = true;
      // The upstream reset or timed out mid-stream: the client sees its stream break.
      res.destroy(e);
    });
    up.body.on('end', () => {
      done = true;
      res.end(strip ? strip.flush() : undefined);
      if (!observer) return;
      // After the client has its answer: accounting never delays it.
      stats.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => account(observer, up.headers)));
    });

    async function account(obs: UsageObserver, upHeaders: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Promise<void> {
      try {
        const u = obs.result();
        if (!u) {
          stats.count(stats.failures, obs.failure ? 'unreadable' : 'no-usage');
          if (obs.failure) o.log(`proxy ${kind}: usage not counted: ${obs.failure}`);
          return;
        }
        const requestId = String(upHeaders['request-id'] ?? upHeaders['x-request-id'] ?? '') || null;
        const { responseId, ...counts } = u;
        const now = Date.now();
        const ev: UsageEvent = {
          ...counts, ts: now, tool: 'api', source: 'proxy', host: o.host, sessionId: session ?? (keyHash ? `key-${keyHash}` : 'proxy'),
          project, reportedCost: null, requestId, isSidechain: false,
          dedupKey: responseId ?? (requestId ? `proxy:${requestId}` : `proxy:${now}:${Math.random().toString(36).slice(2)}`),
        };
        await o.store(ev).catch((e: Error) => {
          stats.count(stats.failures, 'store');
          o.log(`proxy ${kind}: usage of ${ev.dedupKey} not stored: ${e.message}`);
        });
      } catch {
        stats.count(stats.failures, 'internal');
      }
    }
  }
}

/**
 * Passes an SSE stream on event by event, leaving out the usage-only chunk (`"choices":[]` with `usage`) that
 * --inject-stream-usage asked for on the client's behalf.
 */
export class UsageChunkFilter {
  private pending: Buffer[] = [];
  /** The last byte of what is pending, to find a blank line split across two chunks. */
  private last = -1;

  push(chunk: Buffer): string {
    // Only the new chunk is searched for the end of an event: linear however long one event is.
    let end = chunk.lastIndexOf('\n\n');
    if (end >= 0) end += 2;
    else if (this.last === 0x0a && chunk[0] === 0x0a) end = 1;
    this.last = chunk.length > 0 ? chunk[chunk.length - 1]! : this.last;
    if (end < 0) {
      this.pending.push(chunk);
      return '';
    }
    const ready = Buffer.concat([...this.pending, chunk.subarray(0, end)]).toString('utf8');
    this.pending = end < chunk.length ? [chunk.subarray(end)] : [];
    return ready.split(/(?<=\n\n)/).filter((ev) => !(ev.includes('"choices":[]') && ev.includes('"usage":{'))).join('');
  }

  flush(): string {
    const rest = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    return rest;
  }
}
