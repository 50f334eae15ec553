/** CloudWatch Logs. */
import type { Rule } from "./types";
import { label } from "./util";

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

export const logsRules: Rule[] = [
  {
    kind: "resource",
    name: "logs-retention",
    description:
      "Every log group has a finite retention (retentionInDays > 0): logs can carry user " +
      'messages, and "never expire" keeps them (and their cost) forever.',
    enforcementLevel: "mandatory",
    check: (r) => {
      if (r.type !== LOG_GROUP) return [];
      const days = r.inputs.retentionInDays;
      return typeof days === "number" && days > 0 ? [] : [`${label(r)}: retentionInDays must be set to a number > 0 (is ${days ?? "unset"})`];
    },
  },
];
