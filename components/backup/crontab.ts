/**
 * EventBridge Scheduler's `cron(min hour day-of-month month day-of-week year)` as the 5-field
 * crontab Sentry's cron monitors read, converted field by field from the parsed expression
 * (scheduleExpression.ts). EventBridge numbers days of the week 1-7 from Sunday, crontab 0-6;
 * names (SUN-SAT, JAN-DEC) mean the same in both. `start/step` (AWS) becomes `start-max/step`,
 * which every crontab reads alike. No crontab form (undefined): `rate(...)`, a year restriction,
 * and the L, W and # day wildcards.
 */
import { CronField, CronPart, parseSchedule } from "./scheduleExpression";

function part(p: CronPart, max: number, shift: number): string | undefined {
  if (p.kind === "any") return p.step ? `*/${p.step}` : "*";
  if (p.kind !== "range") return undefined;
  const from = p.from + shift;
  if (!p.step) return p.to === undefined ? String(from) : `${from}-${p.to + shift}`;
  return `${from}-${(p.to ?? max) + shift}/${p.step}`;
}

function crontabField(f: CronField, max: number, shift = 0): string | undefined {
  if (f.none) return "*";
  // Names keep their meaning across both syntaxes; only numbers move (day-of-week).
  if (/^[A-Z]{3}(-[A-Z]{3})?(,[A-Z]{3}(-[A-Z]{3})?)*$/.test(f.text)) return f.text;
  const parts = f.parts.map((p) => part(p, max, shift));
  return parts.every((p): p is string => p !== undefined) ? parts.join(",") : undefined;
}

export function toCrontab(expression: string): string | undefined {
  let s;
  try {
    s = parseSchedule(expression);
  } catch {
    return undefined;
  }
  if (s.kind !== "cron" || s.year.text !== "*") return undefined;
  const fields = [
    crontabField(s.minute, 59),
    crontabField(s.hour, 23),
    crontabField(s.dayOfMonth, 31),
    crontabField(s.month, 12),
    crontabField(s.dayOfWeek, 7, -1),
  ];
  return fields.every((f): f is string => f !== undefined) ? fields.join(" ") : undefined;
}
