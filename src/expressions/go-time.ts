/**
 * Go's time.Time and time.Duration, as Argo CD's `time` helpers hand them to triggers (expr)
 * and templates (text/template): RFC 3339 parsing, Go reference-layout formatting
 * ("2006-01-02T15:04:05Z07:00"), comparisons, arithmetic and Duration's methods.
 */

const NANOS_PER_MS = 1_000_000;

/** A time.Duration: a count of nanoseconds. */
export class GoDuration {
  constructor(readonly nanoseconds: number) {}

  hours(): number {
    return this.nanoseconds / 3_600e9;
  }
  minutes(): number {
    return this.nanoseconds / 60e9;
  }
  seconds(): number {
    return this.nanoseconds / 1e9;
  }
  milliseconds(): number {
    return Math.trunc(this.nanoseconds / NANOS_PER_MS);
  }

  /** Go's Duration.String: "1h2m3.5s", "150ms", "0s". */
  toString(): string {
    let n = Math.abs(this.nanoseconds);
    const sign = this.nanoseconds < 0 ? "-" : "";
    if (n === 0) return "0s";
    if (n < 1e9) {
      const [unit, size] = n < 1e3 ? ["ns", 1] : n < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
      return `${sign}${trimFraction(n / size)}${unit}`;
    }
    let out = "";
    const hours = Math.floor(n / 3_600e9);
    n -= hours * 3_600e9;
    const minutes = Math.floor(n / 60e9);
    n -= minutes * 60e9;
    if (hours > 0) out += `${hours}h`;
    if (hours > 0 || minutes > 0) out += `${minutes}m`;
    return `${sign}${out}${trimFraction(n / 1e9)}s`;
  }
}

const trimFraction = (value: number) => String(Number(value.toFixed(9)));

/** A time.Time: milliseconds since the epoch, the nanoseconds below them, and a fixed zone offset. */
export class GoTime {
  constructor(
    readonly epochMs: number,
    readonly extraNanos = 0,
    /** Offset east of UTC, in minutes. */
    readonly offsetMinutes = 0,
  ) {}

  private nanosSinceEpoch(): bigint {
    return BigInt(this.epochMs) * 1_000_000n + BigInt(this.extraNanos);
  }

  before(other: GoTime): boolean {
    return this.nanosSinceEpoch() < other.nanosSinceEpoch();
  }
  after(other: GoTime): boolean {
    return this.nanosSinceEpoch() > other.nanosSinceEpoch();
  }
  equal(other: GoTime): boolean {
    return this.nanosSinceEpoch() === other.nanosSinceEpoch();
  }
  sub(other: GoTime): GoDuration {
    return new GoDuration(Number(this.nanosSinceEpoch() - other.nanosSinceEpoch()));
  }
  add(duration: GoDuration): GoTime {
    const total = this.nanosSinceEpoch() + BigInt(Math.trunc(duration.nanoseconds));
    const ms = total / 1_000_000n - (total % 1_000_000n < 0n ? 1n : 0n);
    return new GoTime(Number(ms), Number(total - ms * 1_000_000n), this.offsetMinutes);
  }
  unix(): number {
    return Math.floor(this.epochMs / 1000);
  }
  utc(): GoTime {
    return new GoTime(this.epochMs, this.extraNanos, 0);
  }
  isZero(): boolean {
    return this.epochMs === ZERO_TIME_MS && this.extraNanos === 0;
  }

  /** Formats with a Go reference layout ("2006-01-02 15:04:05"). */
  format(layout: string): string {
    return formatLayout(this, layout);
  }

  /** Go's Time.String: "2006-01-02 15:04:05.999999999 -0700 MST". */
  toString(): string {
    return this.format("2006-01-02 15:04:05.999999999 -0700 MST");
  }

  /** The wall clock in the time's own zone, as UTC fields of a Date. */
  wall(): Date {
    return new Date(this.epochMs + this.offsetMinutes * 60_000);
  }
}

/** Go's zero time.Time (January 1, year 1, 00:00:00 UTC). */
const ZERO_TIME_MS = new Date(0).setUTCFullYear(1, 0, 1);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** time.Parse(time.RFC3339, value), as Argo CD's `time.Parse`; throws on anything else. */
export function parseRfc3339(value: string): GoTime {
  const match = RFC3339.exec(value);
  if (!match) throw new Error(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const [, year, month, day, hour, minute, second, fraction = "", , sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new Error(`parsing time ${JSON.stringify(value)}: a field is out of range`);
  }
  const offset = sign ? (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) : 0;
  const nanos = Number(fraction.padEnd(9, "0"));
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, s, 0);
  return new GoTime(utc.getTime() - offset * 60_000 + Math.floor(nanos / NANOS_PER_MS), nanos % NANOS_PER_MS, offset);
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Go's time.Now(), in UTC. */
export function goNow(): GoTime {
  return new GoTime(Date.now());
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Layout elements, longest first where one is a prefix of another. */
const ELEMENTS = [
  "January",
  "Monday",
  "Jan",
  "Mon",
  "MST",
  "2006",
  "002",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "PM",
  "pm",
  "Z07:00:00",
  "-07:00:00",
  "Z070000",
  "-070000",
  "Z07:00",
  "-07:00",
  "Z0700",
  "-0700",
  "Z07",
  "-07",
  "1",
  "2",
  "3",
  "4",
  "5",
];

const pad = (value: number, width: number) => String(value).padStart(width, "0");

function formatLayout(time: GoTime, layout: string): string {
  const wall = time.wall();
  const nanos = (wall.getUTCMilliseconds() * NANOS_PER_MS + time.extraNanos) % 1e9;
  const offset = time.offsetMinutes;
  const zone = (colon: boolean, seconds: boolean, zulu: boolean) => {
    if (zulu && offset === 0) return "Z";
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    const hh = pad(Math.floor(abs / 60), 2);
    const mm = pad(abs % 60, 2);
    return `${sign}${hh}${colon ? ":" : ""}${mm}${seconds ? `${colon ? ":" : ""}00` : ""}`;
  };
  let out = "";
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    // Fractional seconds: ".000" / ",000" (fixed) or ".999" (trailing zeros dropped), after a seconds field.
    const fraction = /^[.,](0+|9+)/.exec(rest);
    if (fraction && /(05|5)$/.test(layout.slice(0, i))) {
      const digits = fraction[1] ?? "";
      let text = pad(nanos, 9).slice(0, digits.length);
      if (digits.startsWith("9")) text = text.replace(/0+$/, "");
      out += text === "" ? "" : `${rest[0]}${text}`;
      i += fraction[0].length;
      continue;
    }
    const element = ELEMENTS.find((candidate) => rest.startsWith(candidate));
    if (element === undefined) {
      out += rest[0];
      i += 1;
      continue;
    }
    const hour = wall.getUTCHours();
    switch (element) {
      case "January":
        out += MONTHS[wall.getUTCMonth()];
        break;
      case "Jan":
        out += MONTHS[wall.getUTCMonth()]?.slice(0, 3);
        break;
      case "Monday":
        out += DAYS[wall.getUTCDay()];
        break;
      case "Mon":
        out += DAYS[wall.getUTCDay()]?.slice(0, 3);
        break;
      case "MST":
        out += offset === 0 ? "UTC" : zone(false, false, false);
        break;
      case "2006":
        out += pad(wall.getUTCFullYear(), 4);
        break;
      case "06":
        out += pad(wall.getUTCFullYear() % 100, 2);
        break;
      case "01":
        out += pad(wall.getUTCMonth() + 1, 2);
        break;
      case "1":
        out += String(wall.getUTCMonth() + 1);
        break;
      case "02":
        out += pad(wall.getUTCDate(), 2);
        break;
      case "_2":
        out += String(wall.getUTCDate()).padStart(2, " ");
        break;
      case "2":
        out += String(wall.getUTCDate());
        break;
      case "002": {
        const start = Date.UTC(wall.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((wall.getTime() - start) / 86_400_000) + 1, 3);
        break;
      }
      case "15":
        out += pad(hour, 2);
        break;
      case "03":
        out += pad(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case "3":
        out += String(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case "04":
        out += pad(wall.getUTCMinutes(), 2);
        break;
      case "4":
        out += String(wall.getUTCMinutes());
        break;
      case "05":
        out += pad(wall.getUTCSeconds(), 2);
        break;
      case "5":
        out += String(wall.getUTCSeconds());
        break;
      case "PM":
        out += hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += hour >= 12 ? "pm" : "am";
        break;
      default: {
        const zulu = element.startsWith("Z");
        const body = element.slice(1);
        const seconds = body.length === 6 || body.length === 8;
        const colon = body.includes(":");
        out +=
          body === "07"
            ? zulu && offset === 0
              ? "Z"
              : zone(false, false, false).slice(0, 3)
            : zone(colon, seconds, zulu);
      }
    }
    i += element.length;
  }
  return out;
}

/** A method of time.Time or time.Duration that expressions and templates may call. */
export interface GoMethod {
  params: ReadonlyArray<"string" | "time" | "duration">;
  /** Integer results are Go ints (templates print and compare them as such). */
  returns: "int" | "int64" | "value";
  call(...args: never[]): unknown;
}

const timeMethods: Record<string, (t: GoTime) => GoMethod> = {
  Format: (t) => ({ params: ["string"], returns: "value", call: (layout: string) => t.format(layout) }),
  Before: (t) => ({ params: ["time"], returns: "value", call: (other: GoTime) => t.before(other) }),
  After: (t) => ({ params: ["time"], returns: "value", call: (other: GoTime) => t.after(other) }),
  Equal: (t) => ({ params: ["time"], returns: "value", call: (other: GoTime) => t.equal(other) }),
  Sub: (t) => ({ params: ["time"], returns: "value", call: (other: GoTime) => t.sub(other) }),
  Add: (t) => ({ params: ["duration"], returns: "value", call: (d: GoDuration) => t.add(d) }),
  Unix: (t) => ({ params: [], returns: "int64", call: () => t.unix() }),
  UTC: (t) => ({ params: [], returns: "value", call: () => t.utc() }),
  IsZero: (t) => ({ params: [], returns: "value", call: () => t.isZero() }),
  Year: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCFullYear() }),
  Month: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCMonth() + 1 }),
  Day: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCDate() }),
  Hour: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCHours() }),
  Minute: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCMinutes() }),
  Second: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCSeconds() }),
  Nanosecond: (t) => ({
    params: [],
    returns: "int",
    call: () => t.wall().getUTCMilliseconds() * NANOS_PER_MS + t.extraNanos,
  }),
  Weekday: (t) => ({ params: [], returns: "int", call: () => t.wall().getUTCDay() }),
  YearDay: (t) => ({
    params: [],
    returns: "int",
    call: () => {
      const wall = t.wall();
      return Math.floor((wall.getTime() - Date.UTC(wall.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    },
  }),
  UnixMilli: (t) => ({ params: [], returns: "int64", call: () => t.epochMs }),
  UnixNano: (t) => ({ params: [], returns: "int64", call: () => t.epochMs * NANOS_PER_MS + t.extraNanos }),
  String: (t) => ({ params: [], returns: "value", call: () => t.toString() }),
};

const durationMethods: Record<string, (d: GoDuration) => GoMethod> = {
  Hours: (d) => ({ params: [], returns: "value", call: () => d.hours() }),
  Minutes: (d) => ({ params: [], returns: "value", call: () => d.minutes() }),
  Seconds: (d) => ({ params: [], returns: "value", call: () => d.seconds() }),
  Milliseconds: (d) => ({ params: [], returns: "int64", call: () => d.milliseconds() }),
  Microseconds: (d) => ({ params: [], returns: "int64", call: () => Math.trunc(d.nanoseconds / 1e3) }),
  Nanoseconds: (d) => ({ params: [], returns: "int64", call: () => d.nanoseconds }),
  String: (d) => ({ params: [], returns: "value", call: () => d.toString() }),
};

/** The method `name` of a time or duration, or null (other values have no methods). */
export function goMethod(receiver: unknown, name: string): GoMethod | null {
  if (receiver instanceof GoTime && Object.hasOwn(timeMethods, name)) return timeMethods[name]?.(receiver) ?? null;
  if (receiver instanceof GoDuration && Object.hasOwn(durationMethods, name))
    return durationMethods[name]?.(receiver) ?? null;
  return null;
}

/** Argo CD's `time` constants (util/notification/expression/time): Go's durations and layouts. */
export const GO_TIME_CONSTANTS: ReadonlyMap<string, GoDuration | string> = new Map<string, GoDuration | string>([
  ["Nanosecond", new GoDuration(1)],
  ["Microsecond", new GoDuration(1e3)],
  ["Millisecond", new GoDuration(1e6)],
  ["Second", new GoDuration(1e9)],
  ["Minute", new GoDuration(60e9)],
  ["Hour", new GoDuration(3600e9)],
  ["Layout", "01/02 03:04:05PM '06 -0700"],
  ["ANSIC", "Mon Jan _2 15:04:05 2006"],
  ["UnixDate", "Mon Jan _2 15:04:05 MST 2006"],
  ["RubyDate", "Mon Jan 02 15:04:05 -0700 2006"],
  ["RFC822", "02 Jan 06 15:04 MST"],
  ["RFC822Z", "02 Jan 06 15:04 -0700"],
  ["RFC850", "Monday, 02-Jan-06 15:04:05 MST"],
  ["RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"],
  ["RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"],
  ["RFC3339", "2006-01-02T15:04:05Z07:00"],
  ["RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"],
  ["Kitchen", "3:04PM"],
  ["Stamp", "Jan _2 15:04:05"],
  ["StampMilli", "Jan _2 15:04:05.000"],
  ["StampMicro", "Jan _2 15:04:05.000000"],
  ["StampNano", "Jan _2 15:04:05.000000000"],
]);

const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ["ns", 1],
  ["us", 1e3],
  ["\u00b5s", 1e3],
  ["\u03bcs", 1e3],
  ["ms", 1e6],
  ["s", 1e9],
  ["m", 60e9],
  ["h", 3600e9],
]);

/** Go's time.ParseDuration: "1h30m", "1.5h", "-90s", "300ms"; throws on anything else. */
export function parseGoDuration(text: string): GoDuration {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return new GoDuration(0);
  if (rest === "") throw invalid();
  let total = 0;
  while (rest !== "") {
    const match = /^([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/.exec(rest);
    if (!match || match[1] === "" || match[1] === ".") throw invalid();
    const unit = DURATION_UNITS.get(match[2] ?? "");
    if (unit === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(match[2])} in duration ${JSON.stringify(text)}`);
    total += Number(match[1]) * unit;
    rest = rest.slice(match[0].length);
  }
  return new GoDuration(sign * Math.round(total));
}

const MONTH_INDEX = new Map(MONTHS.map((month, i) => [month.toLowerCase(), i]));
const DAY_NAMES = new Set(DAYS.map((day) => day.toLowerCase()));

/**
 * Go's time.Parse(layout, value) for the layout elements expr's `date()` and Argo users write
 * (years, months by number or name, days, 12/24-hour clocks, AM/PM, fractions, zone offsets and
 * names — a named zone other than UTC/GMT is taken at offset 0, as Go does for unknown names).
 */
export function parseGoLayout(layout: string, value: string): GoTime {
  const fail = (why = "") =>
    new Error(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse${why ? ` (${why})` : ""}`,
    );
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let offset = 0;
  let pm: boolean | null = null;
  let yearDay = 0;
  let v = value;
  const digits = (min: number, max: number): number => {
    const match = new RegExp(`^[0-9]{${min},${max}}`).exec(v);
    if (!match) throw fail();
    v = v.slice(match[0].length);
    return Number(match[0]);
  };
  const fraction = () => {
    const match = /^[.,]([0-9]+)/.exec(v);
    if (match) {
      nanos = Number((match[1] ?? "").slice(0, 9).padEnd(9, "0"));
      v = v.slice(match[0].length);
    }
  };
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    const layoutFraction = /^[.,](0+|9+)/.exec(rest);
    if (layoutFraction && /(05|5)$/.test(layout.slice(0, i))) {
      fraction();
      i += layoutFraction[0].length;
      continue;
    }
    const element = ELEMENTS.find((candidate) => rest.startsWith(candidate));
    if (element === undefined) {
      if (v[0] !== rest[0]) throw fail();
      v = v.slice(1);
      i += 1;
      continue;
    }
    i += element.length;
    switch (element) {
      case "2006":
        year = digits(4, 4);
        break;
      case "06": {
        const short = digits(2, 2);
        year = short >= 69 ? 1900 + short : 2000 + short;
        break;
      }
      case "01":
        month = digits(2, 2);
        break;
      case "1":
        month = digits(1, 2);
        break;
      case "January":
      case "Jan": {
        const match = (element === "Jan" ? /^[A-Za-z]{3}/ : /^[A-Za-z]+/).exec(v);
        const index = match
          ? MONTH_INDEX.get(
              element === "Jan"
                ? (MONTHS.find((m) => m.slice(0, 3).toLowerCase() === match[0].toLowerCase()) ?? "").toLowerCase()
                : match[0].toLowerCase(),
            )
          : undefined;
        if (!match || index === undefined) throw fail();
        month = index + 1;
        v = v.slice(match[0].length);
        break;
      }
      case "Monday":
      case "Mon": {
        const match = /^[A-Za-z]+/.exec(v);
        const word = match?.[0].toLowerCase() ?? "";
        const name = element === "Mon" ? word.slice(0, 3) : word;
        if (!match || ![...DAY_NAMES].some((d) => (element === "Mon" ? d.slice(0, 3) : d) === name)) throw fail();
        v = v.slice(element === "Mon" ? 3 : match[0].length);
        break;
      }
      case "02":
        day = digits(2, 2);
        break;
      case "_2":
        if (v.startsWith(" ")) v = v.slice(1);
        day = digits(1, 2);
        break;
      case "2":
        day = digits(1, 2);
        break;
      case "002":
        yearDay = digits(3, 3);
        break;
      case "15":
        hour = digits(1, 2);
        break;
      case "03":
        hour = digits(2, 2);
        break;
      case "3":
        hour = digits(1, 2);
        break;
      case "04":
        minute = digits(2, 2);
        break;
      case "4":
        minute = digits(1, 2);
        break;
      case "05":
      case "5":
        second = digits(element === "05" ? 2 : 1, 2);
        // Go takes a fraction after the seconds even when the layout has none.
        if (!/^[.,][0-9]/.test(layout.slice(i))) fraction();
        break;
      case "PM":
      case "pm": {
        const word = v.slice(0, 2).toUpperCase();
        if (word !== "AM" && word !== "PM") throw fail();
        pm = word === "PM";
        v = v.slice(2);
        break;
      }
      case "MST": {
        const match = /^[A-Z]{3,5}|^[+-][0-9]{2}/.exec(v);
        if (!match) throw fail();
        v = v.slice(match[0].length);
        break;
      }
      default: {
        // Zone offsets: Z07:00, -07:00, -0700, Z0700, -07, …
        if (element.startsWith("Z") && (v.startsWith("Z") || v.startsWith("z"))) {
          v = v.slice(1);
          offset = 0;
          break;
        }
        const body = element.slice(1);
        const colon = body.includes(":");
        const pattern =
          body === "07"
            ? /^([+-])([0-9]{2})/
            : colon
              ? body.length > 5
                ? /^([+-])([0-9]{2}):([0-9]{2}):([0-9]{2})/
                : /^([+-])([0-9]{2}):([0-9]{2})/
              : body.length > 4
                ? /^([+-])([0-9]{2})([0-9]{2})([0-9]{2})/
                : /^([+-])([0-9]{2})([0-9]{2})/;
        const match = pattern.exec(v);
        if (!match) throw fail();
        offset = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
        v = v.slice(match[0].length);
      }
    }
  }
  if (v !== "") throw fail(`extra text ${JSON.stringify(v)}`);
  if (pm !== null) {
    if (hour < 1 || hour > 12) throw fail("hour out of range");
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (yearDay > 0) {
    const start = new Date(Date.UTC(year, 0, 1) + (yearDay - 1) * 86_400_000);
    month = start.getUTCMonth() + 1;
    day = start.getUTCDate();
  }
  if (month < 1 || month > 12) throw fail("month out of range");
  if (day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) throw fail("day out of range");
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  return new GoTime(utc.getTime() - offset * 60_000 + Math.floor(nanos / NANOS_PER_MS), nanos % NANOS_PER_MS, offset);
}
