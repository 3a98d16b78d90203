import type { Observable } from 'rxjs';
import type { NodeStats } from './stats.js';

const STAGE = Symbol.for('consecution.stage');

/** One branch of a fan-out stage, as built: where it starts and what it ends in. */
export interface BranchInfo {
  readonly label: string;
  readonly input: Observable<unknown>;
  readonly output: Observable<unknown>;
}

/** One segment of a dag stage, as built: a branch that reads the merge of its `parents` (-1: the stage's input). */
export interface SegmentInfo extends BranchInfo {
  readonly parents: readonly number[];
}

/**
 * What `describe()` learns of a built stage: its nodes (several when 1:1 stages were fused
 * into one), what it reads from, and its branches.
 */
export interface StageInfo {
  readonly nodes: readonly NodeStats[];
  readonly upstream: Observable<unknown>;
  readonly branches?: readonly BranchInfo[];
  /** A dag's segments, in topological order; the leaves' outputs are the stage's. */
  readonly segments?: readonly SegmentInfo[];
}

// While describe() builds a pipeline: every stage and branch input, in the order they are built.
let built: Observable<unknown>[] | undefined;

/** Marks `obs` as a consecution stage. */
export function markStage<T>(obs: Observable<T>, info: StageInfo): Observable<T> {
  (obs as unknown as Record<symbol, StageInfo>)[STAGE] = info;
  built?.push(obs);
  return obs;
}

/** Notes where a branch of a fan-out starts (before the branch is built on it), for `describe()`. */
export function markBranchInput<T>(obs: Observable<T>): Observable<T> {
  built?.push(obs);
  return obs;
}

/** The stage info of an Observable built by a consecution operator, if it is one. */
export function stageOf(obs: Observable<unknown>): StageInfo | undefined {
  return (obs as unknown as Record<symbol, StageInfo | undefined>)[STAGE];
}

/**
 * Runs `build` and returns what it returned with every stage and branch input made meanwhile, in
 * build order: a stage comes after the stages it reads from and after everything in its branches.
 */
export function recordStages<T>(build: () => T): { readonly result: T; readonly built: readonly Observable<unknown>[] } {
  const prev = built;
  const list: Observable<unknown>[] = [];
  built = list;
  try {
    return { result: build(), built: list };
  } finally {
    built = prev;
  }
}
