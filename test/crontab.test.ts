/**
 * EventBridge Scheduler expressions: what AWS accepts (the examples of "Schedule types on
 * EventBridge Scheduler" and of the EventBridge cron reference), what it refuses (issue 18's
 * cases), and the crontab the Sentry cron monitor is given for each.
 */
import { toCrontab } from "../components/backup/crontab";
import { parseSchedule, scheduleProblem } from "../components/backup/scheduleExpression";
import { validateConfig } from "../infra/config/validate";

describe("scheduleProblem accepts AWS's documented examples", () => {
  it.each([
    "cron(0 10 * * ? *)", // 10:00 UTC every day
    "cron(15 12 * * ? *)", // 12:15 UTC every day
    "cron(0 18 ? * MON-FRI *)", // 18:00 UTC Monday to Friday
    "cron(0 8 1 * ? *)", // 08:00 UTC on the first day of each month
    "cron(0/15 * * * ? *)", // every 15 minutes
    "cron(0/10 * ? * MON-FRI *)", // every 10 minutes Monday to Friday
    "cron(0/5 8-17 ? * MON-FRI *)", // every 5 minutes 08:00-17:55 Monday to Friday
    "cron(0/30 20-23 ? * MON-FRI *)", // every 30 minutes from 20:00 to 23:30 Monday to Friday
    "cron(0 9 ? * 2#1 *)", // 09:00 on the first Monday of each month
    "cron(0 0 L * ? *)", // last day of the month
    "cron(0 0 ? * 6L *)", // last Friday of the month
    "cron(0 0 3W * ? *)", // weekday nearest the 3rd
    "cron(0 12 ? JAN,APR,JUL,OCT MON 2026-2030)",
    "cron(0 2 ? * */2 *)",
    "cron(0 2 * * ? *)",
    "cron(0 4 ? * SUN *)",
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(1 day)",
    "rate(7 days)",
  ])("%s", (expr) => {
    expect(scheduleProblem(expr)).toBeUndefined();
  });
});

describe("scheduleProblem refuses what AWS refuses, saying why", () => {
  it.each([
    ["cron(0 2 * * * *)", /exactly one of day-of-month \(\*\) and day-of-week \(\*\) must be \?/],
    ["cron(0 2 ? * ? *)", /exactly one of day-of-month/],
    ["cron(0 2 1 * MON *)", /exactly one of day-of-month/],
    ["cron(99 99 * * ? *)", /minutes: 99 is outside 0-59/],
    ["cron(0 24 * * ? *)", /hours: 24 is outside 0-23/],
    ["cron(0 2 32 * ? *)", /day-of-month: 32 is outside 1-31/],
    ["cron(0 2 0 * ? *)", /day-of-month: 0 is outside 1-31/],
    ["cron(0 2 ? 13 MON *)", /month: 13 is outside 1-12/],
    ["cron(0 2 ? * 8 *)", /day-of-week: 8 is outside 1-7/],
    ["cron(0 2 ? * 0 *)", /day-of-week: 0 is outside 1-7/],
    ["cron(0 2 ? * MON-FRX *)", /day-of-week: "FRX" is not a number or one of SUN-SAT/],
    ["cron(0 2 * * ? 1969)", /year: 1969 is outside 1970-2199/],
    ["cron(0/0 * * * ? *)", /minutes: step \/0 must be an integer from 1 to 60/],
    ["cron(0/x * * * ? *)", /minutes: step \/x/],
    ["cron(30-10 * * * ? *)", /minutes: range 30-10 runs backwards/],
    ["cron(? 2 * * ? *)", /minutes: \? is for day-of-month or day-of-week only/],
    ["cron(0 L * * ? *)", /hours: "L" is not allowed/],
    ["cron(0 2 ? * 2#6 *)", /the week after # must be 1 to 5/],
    ["cron(0 2 1W,15 * ? *)", /cannot be in a list/],
    ["cron(0 2 * * ?)", /six fields .* got 5/],
    ["cron(0 2 * * ? * *)", /six fields .* got 7/],
    ["cron(0 2  * * ? *)", /cannot read ""|six fields/],
    ["rate(0 days)", /the value must be 1 or more/],
    ["rate(1 days)", /write 1 day/],
    ["rate(5 hour)", /write 5 hours/],
    ["rate(-1 minutes)", /expected rate\(<positive integer>/],
    ["rate(1 week)", /expected rate/],
    ["every day", /neither cron\(\.\.\.\) nor rate\(\.\.\.\)/],
  ])("%s", (expr, why) => {
    expect(scheduleProblem(expr)).toMatch(why);
  });

  it("parses fields into values, names to numbers", () => {
    const s = parseSchedule("cron(0/15 8-17 ? JAN,MAR MON-FRI *)");
    expect(s).toMatchObject({
      kind: "cron",
      minute: { parts: [{ kind: "range", from: 0, step: 15 }] },
      hour: { parts: [{ kind: "range", from: 8, to: 17 }] },
      dayOfMonth: { none: true },
      month: {
        parts: [
          { kind: "range", from: 1 },
          { kind: "range", from: 3 },
        ],
      },
      dayOfWeek: { parts: [{ kind: "range", from: 2, to: 6 }] },
    });
    expect(parseSchedule("rate(12 hours)")).toEqual({ kind: "rate", value: 12, unit: "hour" });
  });
});

describe("toCrontab", () => {
  it.each([
    ["cron(0 2 * * ? *)", "0 2 * * *"],
    ["cron(0 4 ? * SUN *)", "0 4 * * SUN"],
    ["cron(30 1 ? * 2-6 *)", "30 1 * * 1-5"],
    ["cron(0 3 1 * ? *)", "0 3 1 * *"],
    // Issue 18: the step is not a day number; every 2nd day from Sunday is 0-6/2 or */2 in crontab.
    ["cron(0 2 ? * */2 *)", "0 2 * * */2"],
    ["cron(0 2 ? * 2/2 *)", "0 2 * * 1-6/2"],
    ["cron(0 2 ? * 1,7 *)", "0 2 * * 0,6"],
    ["cron(0 18 ? * MON-FRI *)", "0 18 * * MON-FRI"],
    ["cron(0 2 ? * WED,SAT *)", "0 2 * * WED,SAT"], // W and L inside day names are not wildcards
    ["cron(0 2 ? jul mon *)", "0 2 * JUL MON"],
    ["cron(0/15 * * * ? *)", "0-59/15 * * * *"],
    ["cron(0/5 8-17 ? * MON-FRI *)", "0-59/5 8-17 * * MON-FRI"],
    ["cron(10-40/10 0/6 */2 JAN,JUL ? *)", "10-40/10 0-23/6 */2 JAN,JUL *"],
    ["cron(0 12 1 2/3 ? *)", "0 12 1 2-12/3 *"],
  ])("turns %s into %s", (expr, crontab) => {
    expect(toCrontab(expr)).toBe(crontab);
  });

  it.each(["rate(1 day)", "cron(0 2 * * ? 2027)", "cron(0 2 L * ? *)", "cron(0 2 3W * ? *)", "cron(0 2 ? * 6#3 *)", "cron(0 2 ? * 6L *)", "cron(0 2 * * * *)"])(
    "has no crontab for %s",
    (expr) => {
      expect(toCrontab(expr)).toBeUndefined();
    },
  );
});

describe("config validation of the schedule keys", () => {
  const base = (extra: Record<string, string>) => ({
    "chatbot:tier": "staging",
    "chatbot:alertEmail": "ops@example.com",
    "chatbot:apiImage": "build:app",
    "chatbot:telegramBotImage": "build:app",
    "chatbot:discordBotImage": "build:app",
    "chatbot:certificateArn": "arn:aws:acm:eu-central-1:123456789012:certificate/abc",
    "chatbot:sentryOrganization": "org",
    "chatbot:sentryTeam": "team",
    ...extra,
  });

  it("lists each bad schedule with AWS's reason", () => {
    let message = "";
    try {
      validateConfig("chatbot", "staging", base({ "chatbot:backupSchedule": "cron(0 2 * * * *)", "chatbot:backupVerifySchedule": "rate(0 days)" }), new Set());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /chatbot:backupSchedule = "cron\(0 2 \* \* \* \*\)": exactly one of day-of-month \(\*\) and day-of-week \(\*\) must be \?; expected an EventBridge/,
    );
    expect(message).toMatch(/chatbot:backupVerifySchedule = "rate\(0 days\)": rate\(0 days\): the value must be 1 or more/);
  });
});
