// The offload-cpu node: ~20 µs of integer math per item (see spin.ts), run by offload().
import { defineNode } from 'consecution/node';
import { spin } from './spin.js';

export default defineNode({ name: 'spin', process: (x: number) => spin(x) });
