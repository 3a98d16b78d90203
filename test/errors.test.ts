import { describe, expect, it } from 'vitest';
import { preview } from '../src/errors.js';

describe('preview', () => {
  it('shows binary data by its size, not its bytes', () => {
    expect(preview(Buffer.alloc(262_144))).toBe('[Buffer of 262144 bytes]');
    expect(preview({ path: 'a', content: new Uint8Array(3) })).toBe('{"path":"a","content":"[Uint8Array of 3 bytes]"}');
  });

  it('cuts a long string or array before rendering it, and the preview to 80 characters', () => {
    expect(preview('x'.repeat(10_000_000))).toHaveLength(80);
    expect(preview({ a: 'y'.repeat(1000) })).toHaveLength(80);
    expect(preview(Array.from({ length: 1_000_000 }, (_, i) => i))).toHaveLength(80);
    expect(preview([1, 2, 3])).toBe('[1,2,3]');
  });
});
