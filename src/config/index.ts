import { compile, type CompiledPipeline } from './compile.js';
import { readConfig, type ReadConfigOptions } from './document.js';

export { compile, type CompiledPipeline } from './compile.js';
export { readConfig, parseConfig, type ConfigDocument, type ReadConfigOptions, type ConfigPath } from './document.js';
export { pipelineJsonSchema } from './schema.js';

/**
 * Reads and compiles a pipeline file: YAML with `${VAR}` interpolation and `--set` overrides,
 * validated against one schema (every problem at once, each with `file:line:col`), its modules
 * loaded, relative paths resolved against the file's directory. Ours or NanoStream's format.
 *
 * @example
 * ```ts
 * const { pipeline, source, options } = await loadPipeline('examples/inbox.yaml', { set: ['maxPending=100'] });
 * const report = await new Consecutor(pipeline, options).run(source);
 * ```
 */
export async function loadPipeline(file: string, options: ReadConfigOptions = {}): Promise<CompiledPipeline> {
  return compile(readConfig(file, options));
}
