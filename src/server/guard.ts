// Who may talk to the daemon. Requests must name a loopback host or the configured one (a web page cannot reach it
// through DNS rebinding); a request a browser marks as coming from another site is refused, so no web page can write
// to it (or read it) even without reading the answer; off loopback a bearer token is required, except for OTLP
// exports from this machine.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** A loopback IP address (127.0.0.0/8, ::1, or either mapped into IPv6). Names are not addresses. */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.toLowerCase().startsWith('::ffff:') ? addr.slice(7) : addr;
  if (isIP(a) === 4) return a.startsWith('127.');
  return isIP(a) === 6 && (a === '::1' || a === '0:0:0:0:0:0:0:1');
}

/** A Host that can only mean this machine: `localhost`, a name under `.localhost`, or a loopback IP literal. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
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

export interface GuardRequest {
  method?: string;
  hostHeader: string | undefined;
  /** The Origin header a browser sends with cross-origin requests and with every POST. */
  origin?: string | undefined;
  /** Sec-Fetch-Site and Sec-Fetch-Mode, which browsers send with every request. */
  fetchSite?: string | undefined;
  fetchMode?: string | undefined;
  remoteAddress: string | undefined;
  authorization: string | undefined;
  /** The Cookie header: the dashboard's session, once its page traded the token for one. */
  cookie?: string | undefined;
  /** The dashboard's own files (page, script, styles): nothing in them needs the token. */
  page?: boolean;
  otlp: boolean;
}

/** The cookie that carries a dashboard's session in place of the token. */
export const SESSION_COOKIE = 'tokenmeter_session';

export class Guard {
  private readonly allowedHosts: Set<string>;

  constructor(private readonly opts: GuardOptions) {
    this.allowedHosts = new Set(['localhost', '127.0.0.1', '::1']);
    const bind = opts.bindHost.toLowerCase();
    // A wildcard bind is reached under the machine's own names and addresses, which a Host check cannot list: the
    // token protects it instead.
    if (bind !== '0.0.0.0' && bind !== '::') this.allowedHosts.add(bind.replace(/^\[|\]$/g, ''));
  }

  check(req: GuardRequest): Verdict {
    if (req.hostHeader !== undefined) {
      const host = hostOfHeader(req.hostHeader);
      const wildcard = this.opts.bindHost === '0.0.0.0' || this.opts.bindHost === '::';
      if (!isLoopbackHost(host) && !this.allowedHosts.has(host) && !(wildcard && (isIP(host) || this.opts.token))) {
        return { ok: false, status: 403, message: `Host "${req.hostHeader.slice(0, 100)}" is not this daemon's address` };
      }
    }
    const crossSite = this.crossSite(req);
    if (crossSite) return { ok: false, status: 403, message: crossSite };
    const needsToken = this.opts.token !== undefined && !req.page && !(req.otlp && isLoopbackAddress(req.remoteAddress));
    if (needsToken && !this.tokenMatches(req.authorization) && !this.sessionMatches(req.cookie)) {
      return { ok: false, status: 401, message: 'a bearer token is required (Authorization: Bearer <TOKENMETER_TOKEN>)' };
    }
    return { ok: true };
  }

  /** Whether a request carries the token in its Authorization header (what trading it for a session asks). */
  hasToken(authorization: string | undefined): boolean {
    return this.tokenMatches(authorization);
  }

  /**
   * The session value a dashboard's cookie holds: derived from the token (an HMAC), so the token itself never sits in
   * a cookie, and a new token ends every session.
   */
  sessionValue(): string | null {
    return this.opts.token ? createHmac('sha256', this.opts.token).update('tokenmeter dashboard session').digest('hex') : null;
  }

  private sessionMatches(cookie: string | undefined): boolean {
    const want = this.sessionValue();
    if (!want || !cookie) return false;
    const got = cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1);
    return got !== undefined && got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
  }

  /**
   * Why a browser request from another site is refused, or null. A page can send a POST without a preflight (a
   * `no-cors` fetch, a form) and never read the answer: the write alone is the harm. So any request a browser marks
   * as cross-site or same-site (another port or subdomain is another site's page too), or whose Origin is not this
   * daemon's own, is refused, except following a link to the dashboard (a top-level navigation, which only shows
   * the page to the user). Programs that are not browsers send neither header.
   */
  private crossSite(req: GuardRequest): string | null {
    const safe = req.method === 'GET' || req.method === 'HEAD';
    const site = req.fetchSite?.toLowerCase();
    if ((site === 'cross-site' || site === 'same-site') && !(safe && req.fetchMode?.toLowerCase() === 'navigate')) {
      return `a request from another site's page (Sec-Fetch-Site: ${site}) is not accepted`;
    }
    if (req.origin !== undefined && !(safe && req.fetchMode?.toLowerCase() === 'navigate')) {
      const own = req.hostHeader !== undefined && req.origin.toLowerCase() === `http://${req.hostHeader.trim().toLowerCase()}`;
      if (!own) return `a request from the page at Origin "${req.origin.slice(0, 100)}" is not accepted`;
    }
    return null;
  }

  private tokenMatches(header: string | undefined): boolean {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!m || !this.opts.token) return false;
    const a = Buffer.from(m[1]!.trim());
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
