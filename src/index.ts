// consecution: Storm-style guaranteed stream processing on RxJS.
export * from '../operators/index.js';
export { Consecutor } from './consecutor/consecutor.js';
export type { ConsecutorOptions, Mode } from './consecutor/options.js';
export type { RunReport, Metrics } from './consecutor/report.js';
export type { Guarantee } from './acker/tracker.js';
export type { FailureRecord, ErrorInfo } from './acker/failure.js';
export { Envelope, type Node, type OutputOf, type InputOf } from './envelope/envelope.js';
export { ConsecutionError, isConsecutionError, type ErrorCode } from './errors.js';
export { BaseNode, type NodeSpec, type NodeContext, type EndContext, type ProcessResult } from './nodes/spec.js';
export type { Source, SourceReader, SourceLike } from './sources/source.js';
export { fromIterable, type IterableSourceOptions } from './sources/iterable.js';
export { fromAsyncIterable, type AsyncIterableSourceOptions } from './sources/asyncIterable.js';
export { fromStdin, type StdinSourceOptions } from './sources/stdin.js';
export type { OutputTarget, OutputStream } from './outputs/channel.js';
export type { NodeStats } from './stage/stats.js';
export type { Seed } from './stage/seed.js';
export { describe, type Graph, type GraphNode, type GraphEdge } from './graph/describe.js';
export { toMermaid } from './graph/mermaid.js';
