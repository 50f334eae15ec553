/**
 * EventBridge Scheduler's `cron(min hour day-of-month month day-of-week year)` as the 5-field
 * crontab Sentry's cron monitors read. EventBridge numbers days of the week 1-7 from Sunday,
 * crontab 0-6; names (SUN-SAT) mean the same in both. `rate(...)` has no crontab form: undefined.
 */
export function toCrontab(expression: string): string | undefined {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!m) return undefined;
  const [, min, hour, dom, month, dow, year] = m;
  // A year restriction or EventBridge-only syntax (L, W, #) cannot be said in crontab.
  if (year !== "*" || /[LW#]/.test(`${dom}${dow}`)) return undefined;
  const star = (f: string) => (f === "?" ? "*" : f);
  const weekday = star(dow).replace(/\d/g, (d) => String(Number(d) - 1));
  return [min, hour, star(dom), month, weekday].join(" ");
}
