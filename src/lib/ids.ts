import { decodeTime, encodeTime, monotonicFactory } from "ulid";

/**
 * ulid's own generator asks the platform for one random byte per character (16 calls per id);
 * this one draws them from a buffer filled 256 bytes at a time (the same CSPRNG).
 */
const randomBuffer = new Uint8Array(256);
let randomAt = randomBuffer.length;
function randomFraction(): number {
  if (randomAt === randomBuffer.length) {
    crypto.getRandomValues(randomBuffer);
    randomAt = 0;
  }
  return (randomBuffer[randomAt++] ?? 0) / 256;
}

const nextUlid = monotonicFactory(randomFraction);

/** A new event id: a ULID, so ids sort by the time they were received. */
export function newEventId(now = Date.now()): string {
  return nextUlid(now);
}

const ulidPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` has the shape of an event id. */
export function isEventId(value: string): boolean {
  return ulidPattern.test(value);
}

/** The smallest event id received at `time` (epoch ms): ids below it were received earlier. */
export function eventIdFloor(time: number): string {
  return `${encodeTime(Math.max(0, Math.floor(time)), 10)}${"0".repeat(16)}`;
}

/** When an event id says its event was received (epoch ms). */
export function eventIdTime(id: string): number {
  return decodeTime(id);
}
