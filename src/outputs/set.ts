import type { FailureInfo } from '../envelope/envelope.js';
import { ConsecutionError } from '../errors.js';
import { suggest } from '../stage/suggest.js';
import { OutputChannel, type OutputStream } from './channel.js';
import type { Clock } from '../types.js';
import { lifeStep, type OutputTarget } from './target.js';

/** The outputs every pipeline writes: what leaves its end, and the dead-letter records. */
const ALWAYS = ['default', 'deadLetter'];

/**
 * The named outputs of one run: the containers of the consecutor's `outputs` option and the
 * streams asked for with `c.output(name)`, which the run's stages look up to write to.
 *
 * A stream must be of an output the pipeline writes: `default`, `deadLetter`, one an `output()`
 * stage names (all of them known once the pipeline is built), or one a user node writes to with
 * `ctx.write()` (known only as it happens). So once the pipeline is built, a stream of any other
 * name ends at once with `OUTPUT_UNKNOWN` if the pipeline has no user node, and otherwise when
 * the run ends, if no node wrote to it.
 *
 * @example
 * ```ts
 * const outputs = new OutputSet(new Map([['rows', []]]));
 * outputs.writer('rows', 'output'); // the channel an output('rows') stage writes (see Writer)
 * outputs.built(false);
 * outputs.stream('row'); // errors with OUTPUT_UNKNOWN: ... did you mean "rows"?
 * ```
 */
export class OutputSet {
  private readonly channels = new Map<string, OutputChannel>();
  /** The outputs the pipeline's stages have written to (or, when it is built, will write to). */
  private readonly written = new Set<string>(ALWAYS);
  /** Undefined until the pipeline is built; then whether a user node could ctx.write(). */
  private dynamic: boolean | undefined;
  private ended = false;
  private readonly targets: ReadonlyMap<string, OutputTarget>;
  /** Each target's open(), once called: a target whose open() failed is not closed. */
  private readonly opening = new Map<string, Promise<boolean>>();

  constructor(targets: ReadonlyMap<string, OutputTarget>) {
    this.targets = targets;
    for (const [name, target] of targets) this.channels.set(name, new OutputChannel(name, target));
  }

  /**
   * Opens the targets that have `open()`, all at once: resolves when all have opened, rejects with
   * the first failure (`OUTPUT_FAILED` naming the output). Undefined when no target has `open()`,
   * so that a run without any starts at once.
   */
  open(timeoutMs: number, clock: Clock): Promise<void> | undefined {
    let all: Promise<void>[] | undefined;
    for (const [name, target] of this.targets) {
      const opened = lifeStep(name, target, 'open', timeoutMs, clock);
      if (opened === undefined) continue;
      this.opening.set(
        name,
        opened.then(
          () => true,
          () => false,
        ),
      );
      (all ??= []).push(opened);
    }
    return all === undefined ? undefined : Promise.all(all).then(() => undefined);
  }

  /**
   * Closes the targets that have `close()` (those whose `open()` succeeded), all at once, once each
   * open() has settled; resolves with the failures (`OUTPUT_FAILED`, naming the output).
   */
  async closeTargets(timeoutMs: number, clock: Clock): Promise<FailureInfo[]> {
    const closing = [...this.targets].map(async ([name, target]): Promise<FailureInfo | undefined> => {
      if ((await this.opening.get(name)) === false) return undefined;
      return lifeStep(name, target, 'close', timeoutMs, clock)?.then(
        () => undefined,
        (error: unknown) => ({ node: name, value: undefined, error }),
      );
    });
    return (await Promise.all(closing)).filter((f) => f !== undefined);
  }

  /** True once the run has ended: its outputs are closed, and a new stream is the next run's. */
  get closed(): boolean {
    return this.ended;
  }

  get(name: string): OutputChannel | undefined {
    return this.channels.get(name);
  }

  /** `c.output(name)`: the stream of an output, which the pipeline's stages may then write. */
  stream(name: string): OutputStream<unknown> {
    let ch = this.channels.get(name);
    if (ch === undefined) {
      ch = new OutputChannel(name, undefined);
      this.channels.set(name, ch);
    }
    const stream = ch.stream();
    if (this.dynamic === false && !this.written.has(name)) ch.close(this.unknown(name));
    return stream;
  }

  /** The writer a stage gets for an output; throws `OUTPUT_UNKNOWN` if nothing takes its values. */
  writer(name: string, node: string): OutputChannel {
    const ch = this.channels.get(name);
    if (ch === undefined || !ch.requested) {
      throw new ConsecutionError(
        'OUTPUT_UNKNOWN',
        `node "${node}" writes to output "${name}", which has no container: pass outputs: { ${name}: [] } (or anything with append()/push()) or call c.output('${name}') before run(), or synchronously after it (outputs: ${[...this.channels.keys()].join(', ') || 'none'})`,
        { node },
      );
    }
    this.written.add(name);
    return ch;
  }

  /**
   * The pipeline is built: every `output()` stage has asked for its writer. Without a user node
   * (`dynamic` false) nothing else can write, and the streams of other outputs end now.
   */
  built(dynamic: boolean): void {
    if (this.ended) return;
    this.dynamic = dynamic;
    if (!dynamic) for (const ch of this.channels.values()) if (this.orphan(ch)) ch.close(this.unknown(ch.name));
  }

  /** The run ended: every output ends, with the run's `error` if it failed. */
  close(error?: Error): void {
    this.ended = true;
    for (const ch of this.channels.values()) ch.close(error ?? (this.orphan(ch) ? this.unknown(ch.name) : undefined));
  }

  /** A stream of an output nothing has written to. */
  private orphan(ch: OutputChannel): boolean {
    return ch.streamed && !this.written.has(ch.name);
  }

  private unknown(name: string): ConsecutionError {
    const known = [...this.written];
    const guess = suggest(name, known);
    const why = this.dynamic === true ? 'no output() stage names it and no node wrote to it with ctx.write()' : 'no output() stage names it';
    return new ConsecutionError(
      'OUTPUT_UNKNOWN',
      `c.output('${name}'): the pipeline writes no output "${name}" (${why}); it writes ${known.join(', ')}${guess === undefined ? '' : `: did you mean "${guess}"?`}`,
    );
  }
}
