// A real node:http server on 127.0.0.1 for the HTTP output's tests: it records every request and
// answers as the test says.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** When it arrived, on the test's clock (a VirtualClock's time moves only when the test says). */
  readonly at: number;
}

/** How the server answers request number `n` (0 first): a status with headers and body, or 'hang' / 'destroy' the socket. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'destroy';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly seen: Seen[];
  /** The responses of the requests answered 'hang', in order, for the test to end. */
  readonly held: ServerResponse[];
  /** Resolves once `n` requests have arrived. */
  arrived(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port`, or any free one). */
export async function serve(answer: (req: Seen, n: number) => Answer, now: () => number = Date.now, port = 0): Promise<TestServer> {
  const seen: Seen[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: now() };
      const a = answer(s, seen.length);
      seen.push(s);
      for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
      if (a === 'destroy') req.socket.destroy();
      else if (a === 'hang') held.push(res);
      else res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/events`,
    port: actual,
    seen,
    held,
    arrived: (n) => (seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
