import { describe, expect, it } from 'vitest';
import { chunksOf, MAX_PARAMETERS, rowChunks } from './chunks.js';

describe('chunks', () => {
  it('cuts a list into slices of at most the size, in order', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 3)).toEqual([]);
    expect(() => chunksOf([1], 0)).toThrow(RangeError);
  });

  it('keeps each multi-row INSERT under the parameter budget', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ a: i, b: i, c: i, d: i, e: i }));
    const chunks = rowChunks(rows);
    expect(chunks.flat()).toEqual(rows);
    for (const chunk of chunks) expect(chunk.length * 5).toBeLessThanOrEqual(MAX_PARAMETERS);
    expect(chunks).toHaveLength(Math.ceil((2000 * 5) / MAX_PARAMETERS));
  });
});
