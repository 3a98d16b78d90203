// The one entry through which operators reach the runtime. Not exported from the package.
export { Envelope, type Anchor, type FailureInfo, type Node, type OutputOf, type InputOf } from './envelope/envelope.js';
export { split, childHi, childLo, newSeed, type SplitSeed } from './envelope/split.js';
export { BatchAnchor } from './acker/batch-anchor.js';
export { UntrackedAnchor } from './acker/untracked.js';
export { stageContext, type StageContext, type OrderView } from './stage/stage-context.js';
export { Root } from './acker/root.js';
export { seconds, type Blame, type Holder } from './acker/blame.js';
export { slackOf } from './acker/acker.js';
export { markStage, stageOf, type BranchInfo } from './stage/stage.js';
export { appendStep, type Step } from './stage/chain.js';
export { ackAt, failAt, nodeError } from './stage/fail.js';
export { emitChildren } from './stage/emit.js';
export type { NodeStats } from './stage/stats.js';
export { named, optionReader, rejectUnknown, requireFunction } from './stage/args.js';
export { seedOf, type Seed } from './stage/seed.js';
export { requireSeed, statefulArgs } from './stage/stateful-args.js';
export { ConsecutionError, preview, previewTyped, messageOf } from './errors.js';
export { isPromiseLike } from './stage/promise.js';
