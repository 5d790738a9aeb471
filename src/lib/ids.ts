import { decodeTime, encodeTime, monotonicFactory } from "ulid";

const nextUlid = monotonicFactory();

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
