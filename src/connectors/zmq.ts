import type * as Zmq from 'zeromq';
import { ConsecutionError, messageOf, type ErrorCode } from '../errors.js';
import { optionReader, requireOptions, rejectUnknown, type OptionReader } from '../stage/args.js';
import { loadOptional } from './optional.js';

/** The zeromq 6 package, loaded when a ZeroMQ connector opens. */
export type ZmqModule = typeof Zmq;

/** What fromZmq and toZmq share of their options, checked. */
export interface ZmqEndpoint<P extends string> {
  readonly uri: string;
  readonly pattern: P;
  readonly bind: boolean;
}

/**
 * Validates the options `fn` shares with the other ZeroMQ connector (`uri`, `pattern` among
 * `patterns`, `bind`); `known` names its own others. A bad value throws `OPTIONS_INVALID` showing it.
 */
export function zmqEndpoint<P extends string>(
  fn: string,
  options: { readonly uri?: unknown; readonly pattern?: unknown; readonly bind?: unknown } | undefined,
  patterns: readonly P[],
  bindByDefault: boolean,
  known: readonly string[],
): { endpoint: ZmqEndpoint<P>; r: OptionReader } {
  requireOptions(`${fn}()`, options, 'uri, pattern, ...');
  rejectUnknown(`${fn}()`, options, ['uri', 'pattern', 'bind', ...known]);
  const r = optionReader(options, (key) => `${fn}(): ${key}`);
  const { uri, bind } = options;
  // A ZeroMQ endpoint: transport://address, such as tcp://127.0.0.1:5555 or ipc:///tmp/feed.
  if (typeof uri !== 'string' || !/^[a-z]+:\/\/\S+$/.test(uri)) r.bad('uri', "a ZeroMQ endpoint such as 'tcp://127.0.0.1:5555'", uri);
  if (options.pattern === undefined) r.bad('pattern', `one of ${patterns.map((p) => `'${p}'`).join(', ')}`, undefined);
  const pattern = r.oneOf('pattern', patterns, patterns[0]!);
  if (bind !== undefined && typeof bind !== 'boolean') r.bad('bind', 'true or false', bind);
  return { endpoint: { uri: uri as string, pattern, bind: (bind as boolean | undefined) ?? bindByDefault }, r };
}

/**
 * Loads zeromq, makes a socket and binds it to the endpoint's uri (or connects it). A failure
 * (address in use, a malformed address) rejects with `code` naming the uri; the socket is closed.
 */
export async function openZmqSocket<S extends Zmq.Socket>(
  fn: string,
  code: ErrorCode,
  endpoint: ZmqEndpoint<string>,
  make: (zmq: ZmqModule) => S,
): Promise<S> {
  const zmq = await loadOptional<ZmqModule>('zeromq', fn);
  const socket = make(zmq);
  try {
    if (endpoint.bind) await socket.bind(endpoint.uri);
    else socket.connect(endpoint.uri);
  } catch (e) {
    socket.close();
    throw new ConsecutionError(code, `${fn} could not ${endpoint.bind ? 'bind' : 'connect to'} ${endpoint.uri}: ${messageOf(e)}`, { cause: e });
  }
  return socket;
}
