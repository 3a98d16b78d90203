// The live view on a real terminal: a pipeline run under tmux draws its table there, and the
// pane's text is what a user would see. Skipped (with the reason) where tmux is not installed,
// unless CONSECUTION_REQUIRE_SERVICES=1, where that fails the file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { servicesRequired } from '../connectors/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = 'test/observe/fixtures/view-run.ts';
const tmuxMissing = spawnSync('tmux', ['-V']).status === 0 ? undefined : 'tmux is not installed';
if (tmuxMissing !== undefined && servicesRequired) throw new Error(`${tmuxMissing}, and CONSECUTION_REQUIRE_SERVICES=1 requires it`);

const WIDTH = 100;
// Real time cannot be avoided here (a terminal, a child process): generous deadlines, no durations.
const DEADLINE_MS = 60_000;

/** A tmux server of its own (its socket in the test's directory), so that nothing else's sessions are touched. */
interface Terminal {
  readonly session: string;
  readonly dir: string;
  readonly socket: string;
}

let terminal: Terminal | undefined;
let count = 0;

function tmux(t: Terminal, ...args: string[]): string {
  const r = spawnSync('tmux', ['-S', t.socket, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The pane's lines, without the empty ones below the text. */
function screen(t: Terminal): string[] {
  const lines = tmux(t, 'capture-pane', '-p', '-t', t.session).split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

async function waitFor(t: Terminal, what: string, until: (lines: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const lines = screen(t);
    if (until(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`no ${what} on the terminal within ${DEADLINE_MS} ms; it shows:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterEach(() => {
  if (terminal === undefined) return;
  spawnSync('tmux', ['-S', terminal.socket, 'kill-session', '-t', terminal.session]);
  spawnSync('tmux', ['-S', terminal.socket, 'kill-server']);
  rmSync(terminal.dir, { recursive: true, force: true });
  terminal = undefined;
});

describe.skipIf(tmuxMissing !== undefined)(`liveView on a terminal${tmuxMissing === undefined ? '' : ` (skipped: ${tmuxMissing})`}`, () => {
  it('draws a table that fits the width, redraws it in place, and leaves the final state once', { timeout: 3 * DEADLINE_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-view-'));
    const t: Terminal = { session: `consecution-view-${process.pid}-${++count}`, dir, socket: join(dir, 'tmux.sock') };
    terminal = t;
    const go = join(t.dir, 'go');
    // The shell stays after the script so that its last screen can be read; EXIT= says it ended.
    const command = `cd ${quote(root)} && ${quote(process.execPath)} --import tsx ${script} ${quote(go)}; echo EXIT=$?; sleep 600`;
    tmux(t, 'new-session', '-d', '-s', t.session, '-x', String(WIDTH), '-y', '30', command);

    // Seen 2 s after the view started: it has drawn three frames by then, in the same place.
    const running = await waitFor(
      t,
      'row of wait-for-go with a received count, 2 s into the view',
      (lines) => /^running (?:[2-9]\.\d|\d\d)s /.test(lines[0] ?? '') && lines.some((l) => /^wait-for-go +node +[1-9]\d* /.test(l)),
    );
    // Header, progress (an array knows its length), column titles, a row per node.
    expect(running).toHaveLength(5);
    const [header, progress, columns, waitRow, doubleRow] = running as [string, string, string, string, string];
    expect(progress).toMatch(/^progress [█░]+ +\d+% +40\/40 items$/);
    expect(header).toMatch(/^running \S+ {2}ingested \d+ {2}completed 0 {2}pending \d+ {2}dead 0 {2}\S+\/s {2}blocked \S+$/);
    expect(columns).toMatch(/^node +kind +recv +rate\/s busy +infl queue +fail oldest item$/);
    expect(waitRow).toMatch(/^wait-for-go +node +\d+ +\S+ [█░]{10} +\d+% +1 +\d+ +0/);
    expect(doubleRow).toMatch(/^double +map +0 +\S+ [█░]{10} +\d+% +0 +0 +0$/);
    for (const l of running) expect([...l].length).toBeLessThanOrEqual(WIDTH);

    writeFileSync(go, '');
    const final = await waitFor(t, 'end of the script', (lines) => lines.includes('EXIT=0'));
    expect(final).toEqual([
      expect.stringMatching(/^ended \S+ {2}ingested 40 {2}completed 40 {2}pending 0 {2}dead 0 {2}\S+\/s {2}blocked \S+$/),
      progress,
      columns,
      expect.stringMatching(/^wait-for-go +node +40 +\S+ [█░]{10} +\d+% +0 +0 +0$/),
      expect.stringMatching(/^double +map +40 +\S+ [█░]{10} +\d+% +0 +0 +0$/),
      'EXIT=0',
    ]);
  });

  it('consecution run shows it on the terminal, then the report below; --no-view shows the report alone', { timeout: 3 * DEADLINE_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-view-'));
    const t: Terminal = { session: `consecution-view-${process.pid}-${++count}`, dir, socket: join(dir, 'tmux.sock') };
    terminal = t;
    writeFileSync(join(dir, 'in.txt'), 'a\nb\nc\n');
    writeFileSync(join(dir, 'up.mjs'), 'export default (s) => s.toUpperCase();\n');
    writeFileSync(join(dir, 'p.yaml'), 'name: up\nsource: { use: fromFile, path: ./in.txt }\nnodes:\n  - { name: upper, use: map, fn: ./up.mjs }\n');
    const bin = quote(join(root, 'dist/src/cli/main.js'));
    const command = `cd ${quote(dir)} && ${quote(process.execPath)} ${bin} run p.yaml; echo EXIT=$?; ${quote(process.execPath)} ${bin} run p.yaml --no-view; echo EXIT=$?; sleep 600`;
    tmux(t, 'new-session', '-d', '-s', t.session, '-x', String(WIDTH), '-y', '30', command);
    const lines = await waitFor(t, 'end of both runs', (l) => l.filter((x) => x === 'EXIT=0').length === 2);
    const first = lines.indexOf('EXIT=0');
    const withView = lines.slice(0, first);
    expect(withView[0]).toMatch(/^ended \S+ {2}ingested 3 {2}completed 3 {2}pending 0 {2}dead 0 /);
    expect(withView[1]).toMatch(/^progress [█░]+ +100% +6 B\/6 B$/);
    expect(withView[2]).toMatch(/^node +kind +recv/);
    expect(withView[3]).toMatch(/^upper +map +3 /);
    expect(withView.slice(4)).toEqual([expect.stringMatching(/^up: ok, 3 ingested, 3 completed, 0 dead-lettered, 0 pending \(track/), '  upper (map): 3 in, 3 out']);
    expect(lines.slice(first + 1)).toEqual([expect.stringMatching(/^up: ok, 3 ingested, 3 completed/), '  upper (map): 3 in, 3 out', 'EXIT=0']);
  });
});
