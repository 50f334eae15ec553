import { toCrontab } from "../components/crontab";

describe("toCrontab", () => {
  it.each([
    ["cron(0 2 * * ? *)", "0 2 * * *"],
    ["cron(0 4 ? * SUN *)", "0 4 * * SUN"],
    ["cron(30 1 ? * 2-6 *)", "30 1 * * 1-5"],
    ["cron(0 3 1 * ? *)", "0 3 1 * *"],
  ])("turns %s into %s", (expr, crontab) => {
    expect(toCrontab(expr)).toBe(crontab);
  });

  it.each(["rate(1 day)", "cron(0 2 * * ? 2027)", "cron(0 2 L * ? *)", "cron(0 2 ? * 6#3 *)"])("has no crontab for %s", (expr) => {
    expect(toCrontab(expr)).toBeUndefined();
  });
});
