// Who may talk to the daemon: requests must name a loopback host or the configured one (a web page cannot reach it
// through DNS rebinding), and off loopback a bearer token is required, except for OTLP exports from this machine.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || a.startsWith('127.');
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h);
}

/** The host part of a Host header (`name:port`, `[v6]:port`). */
export function hostOfHeader(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export interface GuardOptions {
  /** The address the daemon binds to. */
  bindHost: string;
  token: string | undefined;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

export class Guard {
  private readonly allowedHosts: Set<string>;

  constructor(private readonly opts: GuardOptions) {
    this.allowedHosts = new Set(['localhost', '127.0.0.1', '::1']);
    const bind = opts.bindHost.toLowerCase();
    // A wildcard bind is reached under the machine's own names and addresses, which a Host check cannot list: the
    // token protects it instead.
    if (bind !== '0.0.0.0' && bind !== '::') this.allowedHosts.add(bind.replace(/^\[|\]$/g, ''));
  }

  check(req: { hostHeader: string | undefined; remoteAddress: string | undefined; authorization: string | undefined; otlp: boolean }): Verdict {
    if (req.hostHeader !== undefined) {
      const host = hostOfHeader(req.hostHeader);
      const wildcard = this.opts.bindHost === '0.0.0.0' || this.opts.bindHost === '::';
      if (!isLoopbackHost(host) && !this.allowedHosts.has(host) && !(wildcard && (isIP(host) || this.opts.token))) {
        return { ok: false, status: 403, message: `Host "${req.hostHeader}" is not this daemon's address` };
      }
    }
    const needsToken = this.opts.token !== undefined && !(req.otlp && isLoopbackAddress(req.remoteAddress));
    if (needsToken && !this.tokenMatches(req.authorization)) {
      return { ok: false, status: 401, message: 'a bearer token is required (Authorization: Bearer <TOKENMETER_TOKEN>)' };
    }
    return { ok: true };
  }

  private tokenMatches(header: string | undefined): boolean {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!m || !this.opts.token) return false;
    const a = Buffer.from(m[1]!.trim());
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
