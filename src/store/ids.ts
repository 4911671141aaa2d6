/**
 * Row ids that sort by creation time: UUID version 7 (RFC 9562, section 5.7), 48 bits of
 * Unix time in milliseconds, a 12-bit counter, then 62 random bits. Rows created together
 * are appended to every index keyed by their id, instead of landing on a random page of each:
 * a batch of random ids rewrites most pages of those indexes at every commit, so creating a
 * batch costs more the larger the table.
 */
import crypto from 'node:crypto';

const MAX_MILLISECONDS = 2 ** 48 - 1;
const MAX_COUNTER = 0xfff;

/**
 * A source of UUIDs version 7, each above the one before. Ids made in one millisecond follow
 * each other through the counter (RFC 9562, 6.2, method 1), which starts at a random value
 * in its lower half; when it runs out, or the clock goes back, the ids go on from the last
 * millisecond used.
 */
export function timeOrderedIds(): (now: number) => string {
  let lastMilliseconds = -1;
  let counter = 0;
  return (now) => {
    let milliseconds = Math.min(Math.max(0, Math.floor(now)), MAX_MILLISECONDS);
    const bytes = crypto.randomBytes(16);
    if (milliseconds > lastMilliseconds) {
      counter = bytes.readUInt16BE(6) & (MAX_COUNTER >> 1);
    } else {
      milliseconds = lastMilliseconds;
      counter += 1;
      if (counter > MAX_COUNTER) {
        milliseconds = Math.min(milliseconds + 1, MAX_MILLISECONDS);
        counter = 0;
      }
    }
    lastMilliseconds = milliseconds;

    bytes.writeUIntBE(milliseconds, 0, 6);
    bytes.writeUInt16BE(0x7000 | counter, 6);
    bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
