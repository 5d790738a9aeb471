import { z } from "zod";
import { parseDuration } from "../lib/duration";
import { fail, ok, type Result } from "../lib/result";
import { type WallClock, wallClock } from "../lib/zones";

/**
 * Change windows in Argo CD's SyncWindow shape: `{kind: allow|deny, schedule: "<cron>", duration,
 * timeZone?}`. A window opens at every time its five-field cron schedule matches (in its time
 * zone, UTC by default) and stays open for its duration. An approval completes only while no
 * deny window is open and — when the policy has allow windows — while one of them is open, as
 * Argo CD decides whether a sync may run. Pure: the gate asks with the time it has.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Longest a window may last (a freeze longer than a week is a policy, not a window). */
export const MAX_WINDOW_MS = 7 * DAY_MS;
/** How far ahead the next allow window is looked for. */
const LOOKAHEAD_DAYS = 400;

interface CronField {
  values: ReadonlySet<number>;
  /** True when the field was `*` (matters for day-of-month × day-of-week, as in cron). */
  any: boolean;
}

/** A parsed five-field cron schedule. */
export interface Cron {
  minutes: CronField;
  hours: CronField;
  days: CronField;
  months: CronField;
  weekdays: CronField;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DESCRIPTORS: ReadonlyMap<string, string> = new Map([
  ["@yearly", "0 0 1 1 *"],
  ["@annually", "0 0 1 1 *"],
  ["@monthly", "0 0 1 * *"],
  ["@weekly", "0 0 * * 0"],
  ["@daily", "0 0 * * *"],
  ["@midnight", "0 0 * * *"],
  ["@hourly", "0 * * * *"],
]);

function parseField(text: string, min: number, max: number, names: readonly string[] = []): CronField | null {
  const values = new Set<number>();
  const value = (token: string): number | null => {
    const named = names.indexOf(token.toUpperCase());
    if (named >= 0) return named + (names === MONTHS ? 1 : 0);
    if (!/^\d{1,2}$/.test(token)) return null;
    return Number(token);
  };
  for (const part of text.split(",")) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!match) return null;
    const [range = "", stepText] = [match[1], match[2]];
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = min;
    let to = max;
    if (range !== "*") {
      const [start = "", end] = range.split("-");
      const first = value(start);
      const last = end === undefined ? (stepText === undefined ? first : max) : value(end);
      if (first === null || last === null) return null;
      from = first;
      to = last;
    }
    if (step < 1 || from < min || to > max || from > to) return null;
    for (let current = from; current <= to; current += step) values.add(current);
  }
  return { values, any: text === "*" };
}

/** Parses a cron schedule (five fields: minute hour day-of-month month day-of-week, or @daily…). */
export function parseCron(schedule: string): Result<Cron> {
  const expanded = DESCRIPTORS.get(schedule.trim()) ?? schedule.trim();
  const fields = expanded.split(/\s+/);
  const problem = () =>
    fail(
      "invalid_argument",
      `"${schedule.slice(0, 100)}" is not a cron schedule (five fields: minute hour day-of-month month day-of-week, e.g. "0 22 * * 5")`,
    );
  if (fields.length !== 5) return problem();
  const [minute = "", hour = "", day = "", month = "", weekday = ""] = fields;
  const parsed = {
    minutes: parseField(minute, 0, 59),
    hours: parseField(hour, 0, 23),
    days: parseField(day, 1, 31),
    months: parseField(month, 1, 12, MONTHS),
    weekdays: parseField(weekday, 0, 7, WEEKDAYS),
  };
  const { minutes, hours, days, months, weekdays } = parsed;
  if (!minutes || !hours || !days || !months || !weekdays) return problem();
  // 7 is Sunday too.
  const sundays = new Set([...weekdays.values].map((value) => (value === 7 ? 0 : value)));
  return ok({ minutes, hours, days, months, weekdays: { values: sundays, any: weekdays.any } });
}

/** True when a time zone name is one this runtime knows (IANA names, e.g. Europe/Berlin). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const changeWindowSchema = z
  .strictObject({
    kind: z.enum(["allow", "deny"]),
    schedule: z.string().min(1).max(200),
    duration: z.string().min(1).max(32),
    timeZone: z.string().max(64).default("UTC"),
  })
  .superRefine((window, context) => {
    const cron = parseCron(window.schedule);
    if (!cron.ok) context.addIssue({ code: "custom", path: ["schedule"], message: cron.error.message });
    const ms = parseDuration(window.duration);
    if (ms === null || ms < MINUTE_MS || ms > MAX_WINDOW_MS)
      context.addIssue({
        code: "custom",
        path: ["duration"],
        message: 'must be a duration between 1m and 7d ("2h", "90m", "3d")',
      });
    if (!isTimeZone(window.timeZone))
      context.addIssue({
        code: "custom",
        path: ["timeZone"],
        message: "must be an IANA time zone (e.g. Europe/Berlin)",
      });
  });

export type ChangeWindow = z.output<typeof changeWindowSchema>;

type LocalTime = WallClock;

/** The wall-clock time at `at` in a time zone. */
const localTime = (at: number, zone: string): LocalTime => wallClock(at, zone);

/** The UTC instant of a wall-clock time in a zone (the later one in a DST overlap; null in a DST gap). */
function instantOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number | null {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (at: number) => {
    const local = localTime(at, zone);
    return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute) - at;
  };
  const guess = wall - offsetAt(wall);
  const at = wall - offsetAt(guess);
  const local = localTime(at, zone);
  return local.hour === hour && local.minute === minute && local.day === day ? at : null;
}

function dayMatches(cron: Cron, year: number, month: number, day: number): boolean {
  if (!cron.months.values.has(month)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const byDay = cron.days.values.has(day);
  const byWeekday = cron.weekdays.values.has(weekday);
  // cron: when both are restricted either one matching is enough; otherwise both must.
  if (!cron.days.any && !cron.weekdays.any) return byDay || byWeekday;
  return byDay && byWeekday;
}

/** A local calendar day `offset` days from a local time's day. */
function dayAt(base: LocalTime, offset: number): { year: number; month: number; day: number } {
  const date = new Date(Date.UTC(base.year, base.month - 1, base.day + offset));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const sorted = (field: CronField) => [...field.values].sort((a, b) => a - b);

/** The latest start of a schedule at or before `now` and not before `earliest`, or null. */
function latestStart(cron: Cron, zone: string, now: number, earliest: number): number | null {
  const today = localTime(now, zone);
  const times = sorted(cron.hours).flatMap((hour) => sorted(cron.minutes).map((minute) => [hour, minute] as const));
  times.reverse();
  // Local calendar days back from today (a spare day covers DST shifts); wall times latest first.
  for (let offset = 0; offset >= -Math.ceil((now - earliest) / DAY_MS) - 1; offset--) {
    const { year, month, day } = dayAt(today, offset);
    if (!dayMatches(cron, year, month, day)) continue;
    for (const [hour, minute] of times) {
      if (offset === 0 && hour * 60 + minute > today.hour * 60 + today.minute) continue;
      const at = instantOf(year, month, day, hour, minute, zone);
      if (at === null || at > now) continue;
      return at >= earliest ? at : null;
    }
  }
  return null;
}

/** The first start of a schedule after `now`, within the lookahead, or null. */
function nextStart(cron: Cron, zone: string, now: number): number | null {
  const today = localTime(now, zone);
  const times = sorted(cron.hours).flatMap((hour) => sorted(cron.minutes).map((minute) => [hour, minute] as const));
  for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset++) {
    const { year, month, day } = dayAt(today, offset);
    if (!dayMatches(cron, year, month, day)) continue;
    for (const [hour, minute] of times) {
      if (offset === 0 && hour * 60 + minute < today.hour * 60 + today.minute) continue;
      const at = instantOf(year, month, day, hour, minute, zone);
      if (at !== null && at > now) return at;
    }
  }
  return null;
}

/** Whether approvals may complete now, and if not, until when the gate waits (re-asked then). */
export type WindowVerdict = { open: true } | { open: false; until: number | null; reason: string };

/**
 * Whether a change may go ahead at `now` under these windows: not while a deny window is open
 * (until its end), and — when there are allow windows — only while one is open (until the next
 * one opens; `until` null when none opens within a year).
 */
export function windowVerdict(windows: readonly ChangeWindow[], now: number): WindowVerdict {
  let denyEnd = 0;
  let denyWindow: ChangeWindow | null = null;
  let allowOpen = false;
  for (const window of windows) {
    const cron = parseCron(window.schedule);
    const duration = parseDuration(window.duration);
    if (!cron.ok || duration === null) continue;
    // A start within the last `duration` is open now; the latest one ends last.
    const latest = latestStart(cron.value, window.timeZone, now, now - duration + 1);
    if (latest === null) continue;
    if (window.kind === "deny" && latest + duration > denyEnd) {
      denyEnd = latest + duration;
      denyWindow = window;
    }
    if (window.kind === "allow") allowOpen = true;
  }
  if (denyWindow) {
    return {
      open: false,
      until: denyEnd,
      reason: `a deny window (${denyWindow.schedule} for ${denyWindow.duration}, ${denyWindow.timeZone}) is open until ${new Date(denyEnd).toISOString()}`,
    };
  }
  const allows = windows.filter((window) => window.kind === "allow");
  if (allows.length === 0 || allowOpen) return { open: true };
  let next: number | null = null;
  for (const window of allows) {
    const cron = parseCron(window.schedule);
    if (!cron.ok) continue;
    const start = nextStart(cron.value, window.timeZone, now);
    if (start !== null && (next === null || start < next)) next = start;
  }
  return {
    open: false,
    until: next,
    reason:
      next === null
        ? "no allow window is open, and none opens within a year"
        : `no allow window is open; the next opens at ${new Date(next).toISOString()}`,
  };
}
