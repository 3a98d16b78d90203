import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, start, type Ran } from './bin.js';

const script = fileURLToPath(new URL('./fixtures/expose-script.mjs', import.meta.url));
const temp = () => mkdtempSync(join(tmpdir(), 'consecution-expose-'));

/** The script run to its end with `args`, writing to `out`. */
function doubler(args: readonly string[], out: string, input?: string): Ran {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, OUT: out }, input, timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const read = (file: string) => readFileSync(file, 'utf8');

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(assertBuilt);

describe('exposeCli', () => {
  it('reads --source file:PATH with --format, takes the Consecutor flags, exits 0 when ok', () => {
    const dir = temp();
    writeFileSync(join(dir, 'in.ndjson'), '1\n2\n3\n');
    const r = doubler(['--source', `file:${join(dir, 'in.ndjson')}`, '--format', 'json', '--guarantee', 'replay', '--retries', '2', '--max-pending', '2'], join(dir, 'out'));
    expect(r.stderr).toContain('doubler: ok, 3 ingested, 3 completed, 0 dead-lettered, 0 pending (replay');
    expect(r.status).toBe(0);
    expect(read(join(dir, 'out'))).toBe('2\n4\n6\n');
  });

  it('reads stdin; a failed item is dead-lettered and the exit code is 1', () => {
    const dir = temp();
    const r = doubler(['--source', 'stdin', '--format', 'json'], join(dir, 'out'), '1\n"x"\n');
    expect(r.status).toBe(1);
    expect(read(join(dir, 'out'))).toBe('2\n');
    expect(JSON.parse(read(join(dir, 'out.dead'))).error.message).toBe('node "double" failed on item "x": not a number: "x"');
  });

  it('reads --config (paths relative to it); flags win over it', () => {
    const dir = temp();
    writeFileSync(join(dir, 'in.ndjson'), '5\n');
    writeFileSync(join(dir, 'doubler.yaml'), 'source: file:./in.ndjson\nformat: json\nguarantee: confirm\nstore: ./state\n');
    const r = doubler(['--config', join(dir, 'doubler.yaml'), '--guarantee', 'replay'], join(dir, 'out'));
    expect(r.stderr).toContain('doubler: ok, 1 ingested, 1 completed, 0 dead-lettered, 0 pending (replay');
    expect(r.status).toBe(0);
    expect(read(join(dir, 'out'))).toBe('10\n');
  });

  it('a bad flag or config exits 2 naming the flag or the line, and the value', () => {
    const dir = temp();
    const out = join(dir, 'out');
    const cases: [string[], string][] = [
      [['--source', 'stdin', '--max-pending', 'lots'], "error: option '--max-pending <n>' argument 'lots' is invalid. expected an integer >= 1."],
      [['--source', 'stdin', '--guarantee', 'maybe'], "error: option '--guarantee <level>' argument 'maybe' is invalid. Allowed choices are none, confirm, track, replay."],
      [['--source', 'ftp://host/x'], 'doubler: --source must be stdin, file:PATH, http://HOST:PORT/PATH or tcp://HOST:PORT, got "ftp://host/x"'],
      [['--source', 'http://127.0.0.1/x'], 'doubler: --source needs a port (http://HOST:PORT/PATH), got "http://127.0.0.1/x"'],
      [[], 'doubler: give --source (stdin, file:PATH, http://HOST:PORT/PATH or tcp://HOST:PORT), or source: in --config'],
      [['--source', 'stdin', 'extra'], 'error: too many arguments. Expected 0 arguments but got 1.'],
    ];
    for (const [args, message] of cases) {
      const r = doubler(args, out, '');
      expect({ args, status: r.status, stderr: r.stderr.split('\n')[0] }).toEqual({ args, status: 2, stderr: message });
    }
    writeFileSync(join(dir, 'bad.yaml'), 'source: stdin\nmaxPendng: 3\nretries: -1\n');
    const bad = doubler(['--config', join(dir, 'bad.yaml')], out, '');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${join(dir, 'bad.yaml')}:2:1: maxPendng: unknown key (did you mean maxPending?)`);
    expect(bad.stderr).toContain(`${join(dir, 'bad.yaml')}:3:10: retries: `);
  });

  it('--help lists the flags, --version prints the version; both exit 0', () => {
    const help = doubler(['--help'], 'unused');
    expect(help.status).toBe(0);
    for (const flag of ['--source <uri>', '--format <format>', '--guarantee <level>', '--retries <n>', '--max-pending <n>', '--timeout-ms <ms>', '--mode <mode>', '--store <dir>', '--config <file>', '--version']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('doubles numbers');
    expect(doubler(['--version'], 'unused').stdout).toBe('1.2.3\n');
  });

  it('serves http://HOST:PORT/PATH until SIGTERM, then drains and exits 0', async () => {
    const dir = temp();
    const port = await freePort();
    const run = start(['--source', `http://127.0.0.1:${port}/numbers`, '--format', 'ndjson', '--guarantee', 'replay', '--store', join(dir, 'state')], {
      script,
      env: { OUT: join(dir, 'out') },
    });
    let answer: Response | undefined;
    for (let i = 0; i < 300 && answer === undefined; i++) {
      answer = await fetch(`http://127.0.0.1:${port}/numbers`, { method: 'POST', body: '1\n2\n' }).catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    }
    expect(answer?.status).toBe(202);
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    expect(ended.stderr).toMatch(/doubler: ok, 2 ingested, 2 completed, 0 dead-lettered, 0 pending \(replay, [\d.]+ s, stopped\)/);
    expect(ended.status).toBe(0);
    expect(read(join(dir, 'out'))).toBe('2\n4\n');
  });

  it('binds tcp://HOST:PORT as a ZeroMQ PULL socket: pushed messages are items', async () => {
    const dir = temp();
    const port = await freePort();
    const run = start(['--source', `tcp://127.0.0.1:${port}`, '--guarantee', 'confirm'], { script, env: { OUT: join(dir, 'out') } });
    const push = new zmq.Push();
    push.connect(`tcp://127.0.0.1:${port}`);
    try {
      // ZeroMQ queues the messages until the script's socket is bound and connected.
      for (const n of [7, 8]) await push.send(JSON.stringify(n));
      for (let i = 0; i < 300 && !(existsSync(join(dir, 'out')) && read(join(dir, 'out')) === '14\n16\n'); i++) await new Promise((r) => setTimeout(r, 100));
      run.child.kill('SIGTERM');
      const ended = await run.ended;
      expect(ended.stderr).toMatch(/doubler: ok, 2 ingested, 2 completed, 0 dead-lettered, 0 pending \(confirm, [\d.]+ s, stopped\)/);
      expect(ended.status).toBe(0);
      expect(read(join(dir, 'out'))).toBe('14\n16\n');
    } finally {
      push.close();
    }
  });
});
