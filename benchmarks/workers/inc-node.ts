// The offload-trivial node: x + 1, so that what is measured is the bridge to the workers.
import { defineNode } from 'consecution/node';

export default defineNode({ name: 'inc', process: (x: number) => x + 1 });
