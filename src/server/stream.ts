// GET /api/stream: Server-Sent Events. Each stored usage record as `usage`, and once a second a `tick` with what
// arrived during that second, so that a chart can draw rates without polling.
import type { ServerResponse } from 'node:http';
import type { EventRow } from '../store/store.js';
import { addTo, zeroTotals, type LiveState, type Totals } from './live.js';

const HEARTBEAT_MS = 15_000;

export class StreamHub {
  private clients = new Set<ServerResponse>();
  private second: Totals = zeroTotals();
  private ticker: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: () => void;

  constructor(live: LiveState) {
    this.unsubscribe = live.subscribe((_kind, e) => {
      addTo(this.second, e);
      this.send('usage', publicEvent(e));
    });
  }

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopTimers();
    });
    // Timers run only while someone listens: an idle daemon does not wake up once a second.
    this.ticker ??= setInterval(() => {
      const t = this.second;
      this.second = zeroTotals();
      this.send('tick', { t: Date.now(), ...t });
    }, 1000);
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
  }

  /** An event other than usage and ticks (an alert) to every client. */
  publish(event: string, data: unknown): void {
    this.send(event, data);
  }

  private send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  private stopTimers(): void {
    clearInterval(this.ticker);
    clearInterval(this.heartbeat);
    this.ticker = this.heartbeat = undefined;
  }

  close(): void {
    this.unsubscribe();
    this.stopTimers();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

/** An event as the API shows it. */
export function publicEvent(e: EventRow) {
  return {
    ts: new Date(e.ts).toISOString(), tool: e.tool, sources: e.sources.split(','), host: e.host, sessionId: e.sessionId,
    project: e.project, model: e.model, input: e.input, output: e.output, cacheRead: e.cacheRead,
    cacheWrite: e.cacheWrite5m + e.cacheWrite1h, reasoning: e.reasoning, cost: e.cost,
  };
}
