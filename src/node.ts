// consecution/node: what a worker module needs to define an offloaded node, and nothing else, so
// that a worker thread or process starts without loading the engine (RxJS, the acker, sources).
export { defineNode, type DefinedNode } from './worker/define.js';
export { BaseNode, type NodeSpec, type NodeContext, type EndContext, type ProcessResult } from './nodes/spec.js';
export { ConsecutionError, isConsecutionError, type ErrorCode } from './errors.js';
