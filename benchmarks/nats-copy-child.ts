// One copy of the NATS-COPIES pipeline, in its own process (forked by nats-copies.ts): consumes
// the shared durable consumer, does about `workMs` of CPU per message, publishes `{ n: n * 2 }` to
// OUT. `kind` says how: a consecutor (fromNats → map → toNats) or raw nats.js (rawPipe).
// Protocol on the IPC channel: the parent sends a CopyRequest; the child answers 'ready' once it
// has loaded everything; the parent sends 'go' (the clock starts), later 'stop'; the child stops,
// sends a CopyDone and exits.
import { Consecutor, fromNats, map, toNats } from 'consecution';
import { performance } from 'node:perf_hooks';
import { busy, natsClient, NATS_SERVERS, rawPipe, type StreamPair } from './nats-lib.js';

export interface CopyRequest {
  readonly kind: 'raw' | 'consecution';
  readonly pair: StreamPair;
  readonly batch: number;
  readonly maxPending: number;
  readonly fetchWaitMs: number;
  readonly workMs: number;
}

export interface CopyDone {
  readonly done: true;
  /** Messages this copy published and acked. */
  readonly confirmed: number;
  /** Milliseconds from 'go' to this copy's first and last message's work (-1: none). */
  readonly first: number;
  readonly last: number;
  /** What went wrong, if anything did (a report that is not clean, an error). */
  readonly error?: string;
}

interface Msg {
  readonly n: number;
}

type Control = 'go' | 'stop';

/** When this copy was told to go, and when it worked on its first and last message. */
const timeline = { go: 0, first: -1, last: -1 };

function work(workMs: number): void {
  const t = performance.now() - timeline.go;
  if (timeline.first < 0) timeline.first = t;
  busy(workMs);
  timeline.last = performance.now() - timeline.go;
}

const began = () => (timeline.go = performance.now());

const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

/** Resolves at the parent's next message that is `what`. */
function next(what: Control): Promise<void> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (m !== what) return;
      process.off('message', on);
      resolve();
    };
    process.on('message', on);
  });
}

async function consecutionCopy(r: CopyRequest): Promise<CopyDone> {
  let confirmed = 0;
  const sink = toNats<Msg>({ servers: NATS_SERVERS, subject: r.pair.outputSubject });
  const c = new Consecutor(
    map((m: Msg) => {
      work(r.workMs);
      return { n: m.n * 2 };
    }),
    {
      maxPending: r.maxPending,
      outputs: {
        default: {
          open: () => sink.open(),
          close: () => sink.close(),
          append: (v: Msg, meta) => sink.append(v, meta).then(() => void confirmed++),
        },
      },
    },
  );
  const stopping = next('stop');
  await send('ready');
  await next('go');
  began();
  const run = c.run(fromNats<Msg>({ servers: NATS_SERVERS, stream: r.pair.input, consumer: r.pair.consumer, batch: r.batch, fetchWaitMs: r.fetchWaitMs }));
  await stopping;
  const report = await c.stop();
  await run;
  const clean = report.failed === 0 && report.errors === 0;
  return { done: true, confirmed, first: timeline.first, last: timeline.last, ...(clean ? {} : { error: `report not clean: ${JSON.stringify({ ok: report.ok, completed: report.completed, failed: report.failed, errors: report.errors })}` }) };
}

async function rawCopy(r: CopyRequest): Promise<CopyDone> {
  const stopping = next('stop');
  await send('ready');
  await next('go');
  began();
  const client = await natsClient('bench raw copy');
  const pipe = rawPipe({
    client,
    pair: r.pair,
    batch: r.batch,
    maxPending: r.maxPending,
    fetchWaitMs: r.fetchWaitMs,
    work: (n) => {
      work(r.workMs);
      return n * 2;
    },
  });
  await stopping;
  pipe.stop();
  await pipe.done;
  await client.nc.drain();
  return { done: true, confirmed: pipe.confirmed, first: timeline.first, last: timeline.last };
}

process.once('message', (m: unknown) => {
  const r = m as CopyRequest;
  void (r.kind === 'raw' ? rawCopy(r) : consecutionCopy(r))
    .catch((e: unknown): CopyDone => ({ done: true, confirmed: -1, first: timeline.first, last: timeline.last, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }))
    .then(async (done) => {
      await send(done);
      process.exit(0);
    });
});
