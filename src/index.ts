// consecution: Storm-style guaranteed stream processing on RxJS.
export * from '../operators/index.js';
export { Consecutor } from './consecutor/consecutor.js';
export type { ConsecutorOptions, Mode, RunOptions } from './consecutor/options.js';
export type { Clock, TimerHandle } from './types.js';
export { systemClock } from './clock/system.js';
export type { RunReport, Metrics } from './consecutor/report.js';
export type { NodeMetrics, LatencySummary, SlowItem, RunGauges } from './consecutor/node-metrics.js';
export type { Guarantee } from './acker/acker.js';
export type { FailureRecord, ErrorInfo } from './acker/failure.js';
export { Envelope, type Node, type OutputOf, type InputOf } from './envelope/envelope.js';
export { ConsecutionError, isConsecutionError, type ErrorCode } from './errors.js';
export { BaseNode, type NodeSpec, type NodeContext, type EndContext, type ProcessResult } from './nodes/spec.js';
export type { Source, SourceContext, SourceReader, SourceState, SourceLike, Parsed } from './sources/source.js';
export { fromIterable, type IterableSourceOptions } from './sources/iterable.js';
export { fromAsyncIterable, type AsyncIterableSourceOptions } from './sources/asyncIterable.js';
export { fromStdin, type StdinSourceOptions } from './sources/stdin.js';
export { merge } from './sources/merge.js';
export type { OutputStream } from './outputs/channel.js';
export type { OutputTarget } from './outputs/target.js';
export type { WriteMeta } from './outputs/meta.js';
export type { NodeStats } from './stage/stats.js';
export type { Seed } from './stage/seed.js';
export { describe, type Graph, type GraphNode, type GraphEdge } from './graph/describe.js';
export { toMermaid } from './graph/mermaid.js';
export { toDot } from './graph/dot.js';
export { toSvg } from './graph/svg.js';
export { saveMetrics, loadMetrics } from './graph/metrics-file.js';
export { metrics$, type MetricsStreamOptions, type MetricsSource } from './consecutor/metrics-stream.js';
export { serveMetrics, type ServeMetricsOptions, type MetricsServer } from './observe/serve-metrics.js';
export { liveView, type LiveView, type LiveViewOptions, type ViewStream } from './observe/live-view.js';
export { viewTable, type TableFrame } from './observe/view-table.js';
export { viewLine } from './observe/view-line.js';
export { loadPipeline, pipelineJsonSchema, type CompiledPipeline, type ReadConfigOptions } from './config/index.js';
export { runFileTests, type CaseResult } from './config/file-tests.js';
export { exposeCli, type ExposeCliOptions } from './cli/expose.js';
export { runToExit, formatReport, type ExitOptions, type SignalSource } from './cli/lifecycle.js';
export { sourceFromUri, type UriFormat } from './cli/source-uri.js';
export { openStore, LmdbStore } from './store/lmdb.js';
export { openStoreReadOnly, ReadOnlyStore } from './store/readonly.js';
export { MemoryStore } from './store/memory.js';
export type { Store, Journal, StoreAdmin, StoreView, StoreStats, JournalEntry, Checkpoint, FoldedCopy, RedriveOptions, RedriveResult } from './store/store.js';
export { fromFile, type FileSourceOptions } from './sources/file.js';
export type { LineOptions, LinePosition, LineFormat } from './sources/line-format.js';
export { defineNode, type DefinedNode } from './worker/define.js';
// connectors: http
export { fromHttp, type HttpSource, type HttpSourceOptions } from './sources/http.js';
export type { HttpFormat } from './sources/http-body.js';
export type { HttpFailure } from './sources/http-ingest.js';
// connectors: timers
export { fromInterval, type IntervalOptions } from './sources/interval.js';
export { fromCron, type CronSourceOptions } from './sources/cron.js';
export type { Tick, CatchUp, TickOptions, TickPosition } from './sources/ticks.js';
// connectors: files
export { toFile, type FileSinkOptions, type LineTarget } from './sinks/file.js';
export type { RotateOptions } from './sinks/rotation.js';
export { toStdout, type StdoutSinkOptions } from './sinks/stdout.js';
export { watchDirectory, type WatchOptions } from './sources/watch.js';
export type { WatchedFile } from './sources/watch-reader.js';
// connectors: postgres
export type { PostgresConnection } from './connectors/postgres.js';
export { fromPostgres, type PostgresSourceOptions } from './sources/postgres.js';
export { toPostgres, type PostgresSink, type PostgresSinkOptions } from './sinks/postgres.js';
// connectors: zmq
export { fromZmq, type ZmqSourceOptions, type ZmqPosition, type MessageFormat } from './sources/zmq.js';
export { toZmq, type ZmqTargetOptions, type ZmqTarget } from './sinks/zmq.js';
export { toKafka, type KafkaTargetOptions, type KafkaTarget } from './sinks/kafka.js';
export { fromRedisStream, type RedisStreamSourceOptions, type RedisStreamSource, type RedisEntryFormat } from './sources/redis-stream.js';
export { toRedisStream, type RedisStreamTargetOptions, type RedisStreamTarget } from './sinks/redis-stream.js';
export { fromNats, type NatsSourceOptions, type NatsSource, type NatsMessageFormat } from './sources/nats.js';
export { toNats, type NatsTargetOptions, type NatsTarget } from './sinks/nats.js';
// connectors: http-out
export { toHttp, type HttpTarget, type HttpTargetOptions, type HttpRetry } from './sinks/http.js';
export type { OutputContext } from './outputs/target.js';
