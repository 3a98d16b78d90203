/** How much of an error answer's body goes into the message. */
const PREVIEW_CHARS = 200;

/**
 * The start of a response body for an error message, on one line: at most 200 characters
 * (then `…`), `(empty body)` when there is none. Reads no more of the body than that needs.
 *
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:8080/items', { method: 'POST', body: '{}' });
 * if (!res.ok) throw new Error(`${res.status}: ${await previewBody(res)}`); // 400: {"error":"name is missing"}
 * ```
 */
export async function previewBody(res: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = res.body?.getReader();
  try {
    // UTF-8 takes at most 4 bytes a character.
    while (reader !== undefined && bytes < PREVIEW_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
    }
  } catch {
    // What arrived is shown; the status says the rest.
  } finally {
    reader?.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  if (text === '') return '(empty body)';
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/**
 * Reads a response body to its end and drops it, so the connection can serve the next request;
 * a body cut short is ignored (the status has already said what counts).
 *
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:8080/items', { method: 'POST', body: '{}' });
 * if (res.ok) await discardBody(res);
 * ```
 */
export async function discardBody(res: Response): Promise<void> {
  try {
    if (res.body !== null) for await (const _ of res.body) void _;
  } catch {
    // See above.
  }
}
