/**
 * EventBridge Scheduler's recurring expressions, parsed by the rules of AWS's documentation
 * ("Schedule types on EventBridge Scheduler"): `cron(min hour day-of-month month day-of-week year)`
 * and `rate(value unit)`. Config validation rejects what AWS would refuse at `pulumi up`;
 * toCrontab (crontab.ts) converts the parsed fields instead of rewriting text.
 */

/** One element of a comma list: a value, a range, `*`, each optionally `/step`, or a day wildcard. */
export type CronPart =
  | { kind: "any"; step?: number } // `*`, `*/n`
  | { kind: "range"; from: number; to?: number; step?: number } // `a`, `a-b`, `a/n`, `a-b/n`
  | { kind: "last"; weekday?: number } // `L` (dom or dow), `nL` (dow: last weekday n of the month)
  | { kind: "weekdayNear"; day: number } // `nW` (dom: weekday nearest day n)
  | { kind: "nth"; weekday: number; nth: number }; // `d#n` (dow: n-th weekday d of the month)

export interface CronField {
  /** `?`: no value (exactly one of day-of-month and day-of-week). */
  none: boolean;
  parts: CronPart[];
  /** The field as written (upper-cased). */
  text: string;
}

export interface CronSchedule {
  kind: "cron";
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  dayOfWeek: CronField;
  year: CronField;
}

export interface RateSchedule {
  kind: "rate";
  value: number;
  unit: "minute" | "hour" | "day";
}

export type Schedule = CronSchedule | RateSchedule;

export class ScheduleError extends Error {}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[]; // index 0 is the value `min`
  question?: boolean;
  last?: boolean;
  weekdayNear?: boolean;
  nth?: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: FieldRule[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, question: true, last: true, weekdayNear: true },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, question: true, last: true, nth: true },
  { name: "year", min: 1970, max: 2199 },
];

function value(rule: FieldRule, raw: string): number {
  const named = rule.names?.indexOf(raw.toUpperCase()) ?? -1;
  if (named >= 0) return rule.min + named;
  if (!/^\d+$/.test(raw))
    throw new ScheduleError(`${rule.name}: ${JSON.stringify(raw)} is not a number${rule.names ? ` or one of ${rule.names[0]}-${rule.names.at(-1)}` : ""}`);
  const n = Number(raw);
  if (n < rule.min || n > rule.max) throw new ScheduleError(`${rule.name}: ${n} is outside ${rule.min}-${rule.max}`);
  return n;
}

function step(rule: FieldRule, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > rule.max - rule.min + 1) {
    throw new ScheduleError(`${rule.name}: step /${raw} must be an integer from 1 to ${rule.max - rule.min + 1}`);
  }
  return Number(raw);
}

function part(rule: FieldRule, raw: string): CronPart {
  const [base, inc, ...more] = raw.split("/");
  if (more.length || base === "") throw new ScheduleError(`${rule.name}: cannot read ${JSON.stringify(raw)}`);
  const stepped = inc !== undefined ? step(rule, inc) : undefined;
  if (base === "*") return { kind: "any", step: stepped };
  const special = /^(\d*|[A-Z]{3})([LW#])(\d*)$/.exec(base.toUpperCase());
  if (special && inc === undefined) {
    const [, a, mark, b] = special;
    if (mark === "L" && rule.last && a === "" && b === "") return { kind: "last" };
    if (mark === "L" && rule.nth && b === "") return { kind: "last", weekday: value(rule, a) };
    if (mark === "W" && rule.weekdayNear && b === "") return { kind: "weekdayNear", day: value(rule, a) };
    if (mark === "#" && rule.nth) {
      if (!/^[1-5]$/.test(b)) throw new ScheduleError(`${rule.name}: in ${raw}, the week after # must be 1 to 5`);
      return { kind: "nth", weekday: value(rule, a), nth: Number(b) };
    }
    throw new ScheduleError(
      `${rule.name}: ${JSON.stringify(raw)} is not allowed (${mark} is ${FIELDS.filter((f) => (mark === "L" ? f.last : mark === "W" ? f.weekdayNear : f.nth))
        .map((f) => f.name)
        .join(" and ")} only)`,
    );
  }
  const [from, to, ...rest] = base.split("-");
  if (rest.length || from === "" || to === "") throw new ScheduleError(`${rule.name}: cannot read ${JSON.stringify(raw)}`);
  const lo = value(rule, from);
  const hi = to === undefined ? undefined : value(rule, to);
  // Ranges that wrap (FRI-MON) are not in AWS's documentation: say so rather than guess.
  if (hi !== undefined && hi < lo) throw new ScheduleError(`${rule.name}: range ${base} runs backwards`);
  return { kind: "range", from: lo, to: hi, step: stepped };
}

function field(rule: FieldRule, raw: string): CronField {
  const text = raw.toUpperCase();
  if (text === "?") {
    if (!rule.question) throw new ScheduleError(`${rule.name}: ? is for day-of-month or day-of-week only`);
    return { none: true, parts: [], text };
  }
  const parts = raw.split(",").map((p) => part(rule, p));
  if (parts.length > 1 && parts.some((p) => p.kind !== "range")) throw new ScheduleError(`${rule.name}: ${raw}: *, L, W and # cannot be in a list`);
  return { none: false, parts, text };
}

/** Parses an EventBridge Scheduler `cron(...)` or `rate(...)`; throws a ScheduleError saying what is wrong. */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1]);
    if (!m) throw new ScheduleError(`rate(${rate[1]}): expected rate(<positive integer> minute(s)|hour(s)|day(s))`);
    const n = Number(m[1]);
    if (n < 1) throw new ScheduleError(`rate(${rate[1]}): the value must be 1 or more`);
    const plural = m[2].endsWith("s");
    // AWS: "If the value is equal to 1, then the unit must be singular", and plural above 1.
    if (plural !== n > 1) throw new ScheduleError(`rate(${rate[1]}): write ${n} ${n === 1 ? m[2].slice(0, -1) : `${m[2]}s`}`);
    return { kind: "rate", value: n, unit: m[2].replace(/s$/, "") as RateSchedule["unit"] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) throw new ScheduleError(`${JSON.stringify(expression)} is neither cron(...) nor rate(...)`);
  const raw = cron[1].split(" ");
  if (raw.length !== 6) throw new ScheduleError(`cron needs six fields (minutes hours day-of-month month day-of-week year), got ${raw.length}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = raw.map((r, i) => field(FIELDS[i], r));
  // AWS: a value or * in one of the day fields needs ? in the other.
  if (dayOfMonth.none === dayOfWeek.none) {
    throw new ScheduleError(`exactly one of day-of-month (${dayOfMonth.text}) and day-of-week (${dayOfWeek.text}) must be ?`);
  }
  return { kind: "cron", minute, hour, dayOfMonth, month, dayOfWeek, year };
}

/** The problem with an expression, or undefined when AWS would accept it (config validation). */
export function scheduleProblem(expression: string): string | undefined {
  try {
    parseSchedule(expression);
    return undefined;
  } catch (e) {
    if (e instanceof ScheduleError) return e.message;
    throw e;
  }
}
