// One request to the local daemon over a plain socket (HTTP/1.0, so the daemon closes when done): what the status
// line and `ingest` need, without loading node:http, which would cost a few of the milliseconds a status line has.
import { connect } from 'node:net';

export function postToDaemon(port: number, path: string, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return requestDaemon('POST', port, path, body, timeoutMs);
}

export function getFromDaemon(port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return requestDaemon('GET', port, path, null, timeoutMs);
}

function requestDaemon(method: 'GET' | 'POST', port: number, path: string, body: string | null, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(new Error('the daemon did not answer in time')), timeoutMs);
    const chunks: Buffer[] = [];
    const auth = process.env.TOKENMETER_TOKEN ? `Authorization: Bearer ${process.env.TOKENMETER_TOKEN}\r\n` : '';
    socket.on('connect', () => {
      socket.end(body === null
        ? `${method} ${path} HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\n${auth}\r\n`
        : `${method} ${path} HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${auth}` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: end >= 0 ? text.slice(end + 4) : '' });
    });
  });
}
