import { ConsecutionError } from '../errors.js';
import { fromFile } from '../sources/file.js';
import { fromHttp } from '../sources/http.js';
import type { Source } from '../sources/source.js';
import { fromStdin } from '../sources/stdin.js';
import { fromZmq } from '../sources/zmq.js';

/** How `--format` reads input: a JSON value per line/message/body (`json`, `ndjson`), or text (`text`, `lines`). */
export type UriFormat = 'json' | 'ndjson' | 'text' | 'lines';

/** The values of `--format`. */
export const URI_FORMATS: readonly UriFormat[] = ['json', 'ndjson', 'text', 'lines'];

const FORMS = 'stdin, file:PATH, http://HOST:PORT/PATH or tcp://HOST:PORT';

/**
 * The source a `--source` URI names: `stdin` and `file:PATH` read lines (`--format json`/`ndjson`:
 * each line a JSON value; `text`/`lines`: each line a string; default text);
 * `http://HOST:PORT/PATH` listens for POSTs on that path (`json`: the body is one item, `ndjson`:
 * one per line, `text`: one string; default json); `tcp://HOST:PORT` binds a ZeroMQ PULL socket
 * (each message a JSON value unless `text`). A URI of another form throws `OPTIONS_INVALID`
 * naming the flag and the value.
 *
 * @example
 * ```ts
 * import { sourceFromUri } from './source-uri.js';
 *
 * const source = sourceFromUri('http://127.0.0.1:8080/orders', 'ndjson');
 * ```
 */
export function sourceFromUri(uri: string, format: UriFormat | undefined, flag = '--source'): Source<unknown> {
  const bad = (why: string): never => {
    throw new ConsecutionError('OPTIONS_INVALID', `${flag} ${why}, got ${JSON.stringify(uri)}`);
  };
  const lines = format === 'json' || format === 'ndjson' ? 'ndjson' : 'lines';
  const message = format === 'lines' ? 'text' : format;
  if (uri === 'stdin' || uri === '-') return fromStdin({ format: lines });
  if (uri.startsWith('file:')) {
    const path = uri.startsWith('file://') ? new URL(uri).pathname : uri.slice('file:'.length);
    if (path === '') bad('needs a path after file:');
    return fromFile(path, { format: lines });
  }
  if (uri.startsWith('http://')) {
    const url = parseUrl(uri, bad);
    if (url.port === '') bad('needs a port (http://HOST:PORT/PATH)');
    return fromHttp({ host: url.hostname, port: Number(url.port), path: url.pathname, ...(message === undefined ? {} : { format: message }) });
  }
  if (uri.startsWith('tcp://')) {
    const url = parseUrl(uri, bad);
    if (url.port === '') bad('needs a port (tcp://HOST:PORT)');
    return fromZmq({ uri, pattern: 'pull', ...(message === undefined ? {} : { format: message }) });
  }
  return bad(`must be ${FORMS}`);
}

function parseUrl(uri: string, bad: (why: string) => never): URL {
  try {
    return new URL(uri);
  } catch {
    return bad(`is not a valid URL (${FORMS})`);
  }
}
