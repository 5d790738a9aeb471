import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChangeWindow, changeWindowSchema, parseCron, windowVerdict } from "../../../src/approvals/windows";

// Change windows (Argo CD's SyncWindow shape): when an approved gate may complete.

const at = (iso: string) => Date.parse(iso);
const deny = (schedule: string, duration: string, timeZone = "UTC"): ChangeWindow => ({
  kind: "deny",
  schedule,
  duration,
  timeZone,
});
const allow = (schedule: string, duration: string, timeZone = "UTC"): ChangeWindow => ({
  kind: "allow",
  schedule,
  duration,
  timeZone,
});

describe("change windows", () => {
  it("a deny window holds until it ends", () => {
    // Fridays from 22:00 for 60 hours: the weekend freeze.
    const freeze = deny("0 22 * * 5", "60h");
    expect(windowVerdict([freeze], at("2026-12-04T21:59:00Z"))).toEqual({ open: true });
    const held = windowVerdict([freeze], at("2026-12-05T14:00:00Z"));
    expect(held).toMatchObject({ open: false, until: at("2026-12-07T10:00:00Z") });
    expect(windowVerdict([freeze], at("2026-12-07T10:00:00Z"))).toEqual({ open: true });
  });

  it("allow windows: only inside one; outside, until the next opens", () => {
    const office = allow("0 9 * * 1-5", "8h", "Europe/Berlin");
    // Monday 2026-12-07 10:00 Berlin (09:00 UTC): open.
    expect(windowVerdict([office], at("2026-12-07T09:00:00Z"))).toEqual({ open: true });
    // Saturday: closed until Monday 09:00 Berlin (08:00 UTC).
    expect(windowVerdict([office], at("2026-12-05T12:00:00Z"))).toMatchObject({
      open: false,
      until: at("2026-12-07T08:00:00Z"),
    });
    // A deny window wins over an allow window.
    expect(windowVerdict([office, deny("0 12 7 12 *", "1h")], at("2026-12-07T12:30:00Z"))).toMatchObject({
      open: false,
      until: at("2026-12-07T13:00:00Z"),
    });
  });

  it("time zones follow daylight saving (Europe/Berlin, March 29 2026)", () => {
    const nightly = deny("0 1 * * *", "2h", "Europe/Berlin");
    // Before the change 01:00 Berlin is 00:00 UTC, after it 23:00 UTC the day before.
    expect(windowVerdict([nightly], at("2026-03-28T00:30:00Z"))).toMatchObject({ until: at("2026-03-28T02:00:00Z") });
    expect(windowVerdict([nightly], at("2026-03-29T23:30:00Z"))).toMatchObject({ until: at("2026-03-30T01:00:00Z") });
  });

  it("property: a deny window (UTC) is open exactly when its schedule matched within its duration", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 6 * 60 }),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        (minute, hour, minutes, now) => {
          const verdict = windowVerdict([deny(`${minute} ${hour} * * *`, `${minutes}m`)], now);
          let open = false;
          for (let step = now - (now % 60_000); step > now - minutes * 60_000; step -= 60_000) {
            const time = new Date(step);
            if (time.getUTCMinutes() === minute && time.getUTCHours() === hour) open = true;
          }
          expect(verdict.open).toBe(!open);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads cron as cron does: lists, ranges, steps, names, descriptors, day-of-month or day-of-week", () => {
    const parsed = parseCron("*/15 9-17 1,15 JAN-MAR MON-FRI");
    expect(parsed.ok && [...parsed.value.minutes.values]).toEqual([0, 15, 30, 45]);
    expect(parseCron("@daily").ok).toBe(true);
    // Day 1 of the month OR Mondays (both restricted): 2026-12-07 is a Monday, not the 1st.
    expect(windowVerdict([deny("0 0 1 * 1", "1h")], at("2026-12-07T00:30:00Z")).open).toBe(false);
    for (const bad of ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "x * * * *", "5-1 * * * *"]) {
      expect(parseCron(bad).ok, bad).toBe(false);
    }
  });

  it("refuses unparseable schedules, durations over 7 days, unknown time zones, naming the field", () => {
    const issues = (window: unknown) =>
      changeWindowSchema.safeParse(window).error?.issues.map((issue) => issue.path.join(".")) ?? [];
    expect(issues({ kind: "deny", schedule: "every friday", duration: "2h" })).toEqual(["schedule"]);
    expect(issues({ kind: "deny", schedule: "0 22 * * 5", duration: "8d" })).toEqual(["duration"]);
    expect(issues({ kind: "deny", schedule: "0 22 * * 5", duration: "2h", timeZone: "Mars/Olympus" })).toEqual([
      "timeZone",
    ]);
    expect(issues({ kind: "deny", schedule: "0 22 * * 5", duration: "2h", timeZone: "Europe/Berlin" })).toEqual([]);
  });
});
