import { monotonicFactory } from "ulid";

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
