// What the fromHttp tests share: a run of a pipeline over fromHttp on 127.0.0.1 (port 0), a sink
// that records each value with its lineage id, and a node that holds items until released.
import { Consecutor, fromHttp, map, node, type ConsecutorOptions, type HttpSourceOptions, type Node, type RunReport } from 'consecution';

export interface Seen {
  readonly value: unknown;
  readonly root: number;
}

export interface Served {
  readonly c: Consecutor<unknown, unknown>;
  readonly done: Promise<RunReport>;
  readonly url: URL;
  readonly seen: Seen[];
  post(body: NonNullable<RequestInit['body']>, headers?: Record<string, string>): Promise<Response>;
  /** POSTs and returns the status and the parsed JSON body. */
  send(body: NonNullable<RequestInit['body']>, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
}

export async function serve(
  options: Partial<HttpSourceOptions> = {},
  pipeline: Node<unknown, unknown> = map((x: unknown) => x),
  run: ConsecutorOptions = {},
): Promise<Served> {
  const http = fromHttp({ port: 0, ...options });
  const seen: Seen[] = [];
  const c = new Consecutor(pipeline, {
    ...run,
    outputs: { default: { append: (value: unknown, meta: { root: number }) => void seen.push({ value, root: meta.root }) }, ...run.outputs },
  });
  const done = c.run(http);
  const url = await http.address();
  const post = (body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers });
  const send = async (body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}) => {
    const r = await post(body, headers);
    return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
  };
  return { c, done, url, seen, post, send };
}

/** A node that holds every item until `release()`; `held` says how many it holds. */
export function gate(name = 'gate'): { node: Node<unknown, unknown>; release(): void; held(): number } {
  let open: () => void = () => {};
  let opened = new Promise<void>((r) => (open = r));
  let held = 0;
  return {
    node: node(name, {
      async process(x: unknown) {
        held++;
        await opened;
        held--;
        return x;
      },
      concurrency: 1000,
    }),
    release() {
      open();
      opened = Promise.resolve();
    },
    held: () => held,
  };
}

/** Waits (real time, generous bound) until `cond` holds. */
export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const lines = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => JSON.stringify({ n: from + i })).join('\n') + '\n';
