import type { Writable } from 'node:stream';
import { ConsecutionError, messageOf } from '../errors.js';
import { GroupCommit } from './group-commit.js';

/**
 * Lines written to a stream (stdout) with back-pressure: the lines of one burst go in one
 * `write`; a write resolves once the stream has taken it (its callback), and when the stream
 * said it is full (`write()` returned false) not before its `'drain'`. The next batch waits for
 * that, so a slow reader holds the writers back instead of filling memory. A stream error
 * (`EPIPE`: the reader went away) rejects the writes waiting, instead of crashing the process.
 *
 * @example
 * ```ts
 * const out = new StreamLines(process.stdout, 'toStdout()');
 * await out.write('hello\n');
 * out.release();
 * ```
 */
export class StreamLines {
  private readonly group: GroupCommit<string>;
  private failure: unknown;
  private readonly onError = (e: unknown) => (this.failure ??= e);

  constructor(
    private readonly stream: Writable,
    private readonly who: string,
  ) {
    this.group = new GroupCommit((batch) => this.commit(batch.length === 1 ? batch[0]! : batch.join('')));
    stream.on('error', this.onError);
  }

  /** Resolves once `text` is written (see the class). */
  write(text: string): Promise<void> {
    return this.group.append(text);
  }

  /** Resolves once every write so far has settled. */
  drain(): Promise<void> {
    return this.group.drain();
  }

  /** Stops listening for the stream's errors (once nothing more is written). */
  release(): void {
    this.stream.off('error', this.onError);
  }

  private commit(text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const failed = (e: unknown) => {
        this.failure = undefined;
        reject(new ConsecutionError('OUTPUT_FAILED', `${this.who}: the stream failed: ${messageOf(e)}`, { cause: e }));
      };
      if (this.failure !== undefined) return failed(this.failure);
      let written = false;
      let drained = true;
      const settle = () => {
        if (!written || !drained) return;
        if (this.failure !== undefined) failed(this.failure);
        else resolve();
      };
      const full = !this.stream.write(text, (e) => {
        if (e != null) return failed(e);
        written = true;
        settle();
      });
      if (full) {
        drained = false;
        const off = () => {
          this.stream.off('drain', onDrain);
          this.stream.off('close', onDrain);
        };
        const onDrain = () => {
          off();
          drained = true;
          settle();
        };
        this.stream.on('drain', onDrain);
        this.stream.on('close', onDrain);
      }
    });
  }
}
