/** A wall-clock time in a time zone (month 1–12, weekday 0 = Sunday). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock time at `epochMs` in an IANA time zone (one formatter per zone, cached). Throws
 * a RangeError for a zone the runtime does not know.
 */
export function wallClock(epochMs: number, zone: string): WallClock {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    if (formats.size > 100) formats.clear();
    formats.set(zone, format);
  }
  const parts = new Map<string, string>(format.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]));
  const number = (type: string) => Number(parts.get(type) ?? 0);
  return {
    year: number("year"),
    month: number("month"),
    day: number("day"),
    hour: number("hour") % 24,
    minute: number("minute"),
    second: number("second"),
    weekday: WEEKDAYS.indexOf((parts.get("weekday") ?? "").toUpperCase()),
  };
}

/** A zone's offset east of UTC, in minutes, at `epochMs`. */
export function zoneOffsetMinutes(epochMs: number, zone: string): number {
  const wall = wallClock(epochMs, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}
