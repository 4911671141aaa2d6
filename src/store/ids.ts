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
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A source of UUIDs version 7, each above the one before. Ids made in one millisecond follow
 * each other through the counter (RFC 9562, 6.2, method 1), which starts at a random value
 * in its lower half; when it runs out, or the clock goes back, the ids go on from the last
 * millisecond used.
 */
export function timeOrderedIds(): (now: number) => string {
  let lastMilliseconds = -1;
  let counter = 0;
  // Random bytes drawn for many ids at once, as crypto.randomUUID does: one call each costs
  // more than the rest of making the id.
  const random = Buffer.alloc(10 * 512);
  let used = random.length;

  return (now) => {
    if (used === random.length) {
      crypto.randomFillSync(random);
      used = 0;
    }
    const at = used;
    used += 10;

    let milliseconds = Math.min(Math.max(0, Math.floor(now)), MAX_MILLISECONDS);
    if (milliseconds > lastMilliseconds) {
      counter = random.readUInt16BE(at + 8) & (MAX_COUNTER >> 1);
    } else {
      milliseconds = lastMilliseconds;
      counter += 1;
      if (counter > MAX_COUNTER) {
        milliseconds = Math.min(milliseconds + 1, MAX_MILLISECONDS);
        counter = 0;
      }
    }
    lastMilliseconds = milliseconds;
    return format(milliseconds, counter, random, at);
  };
}

/** `xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx`: the time, the version and counter, 62 random bits. */
function format(milliseconds: number, counter: number, random: Buffer, at: number): string {
  const high = Math.floor(milliseconds / 0x10000);
  const low = milliseconds % 0x10000;
  const hex = (byte: number) => HEX[byte & 0xff] as string;
  const b = (index: number) => random[at + index] as number;
  return (
    hex(high >>> 24) +
    hex(high >>> 16) +
    hex(high >>> 8) +
    hex(high) +
    '-' +
    hex(low >>> 8) +
    hex(low) +
    '-' +
    hex(0x70 | (counter >>> 8)) +
    hex(counter) +
    '-' +
    hex(0x80 | (b(0) & 0x3f)) +
    hex(b(1)) +
    '-' +
    hex(b(2)) +
    hex(b(3)) +
    hex(b(4)) +
    hex(b(5)) +
    hex(b(6)) +
    hex(b(7))
  );
}
