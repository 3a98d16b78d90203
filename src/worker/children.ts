import type { ChildProcess } from 'node:child_process';

/** Worker processes alive in this process. */
const children = new Set<ChildProcess>();
let hooked = false;

/**
 * Keeps `child` (a worker process) to be killed when this process exits. A worker stuck in a
 * synchronous loop never reads the disconnect that the end of its parent sends: without this it
 * would outlive the program, spinning, with init (pid 1) as its parent. (A parent killed with
 * SIGKILL runs no exit handler: such a worker must be killed from outside.)
 *
 * @example
 * ```ts
 * declare const child: import('node:child_process').ChildProcess;
 * adopt(child); // killed with SIGKILL when this process exits, unless it exited first
 * ```
 */
export function adopt(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
}
