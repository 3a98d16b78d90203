export { map } from './map.js';
export { filter } from './filter.js';
export { flatMap } from './flatMap.js';
export { flatten } from './flatten.js';
export { scan } from './scan.js';
export { reduce } from './reduce.js';
export { aggregate } from './aggregate.js';
export { chunk } from './chunk.js';
export { broadcast } from './broadcast.js';
export { route, type Branches } from './route.js';
export { partition } from './partition.js';
// A source, not an operator (src/sources/merge.ts); also here, where it has always been importable from.
export { merge } from '../src/core.js';
export { node } from './node.js';
export { output, type OutputOptions } from './output.js';
export { check, type CheckOptions } from './check.js';
export { offload, type OffloadOptions } from './offload.js';
export { ordered, type OrderedOptions } from './ordered.js';
