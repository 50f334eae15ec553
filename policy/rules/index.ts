/** Every rule, in report order. The policy pack and the offline audit both run exactly this list. */
import type { Rule } from "./types";
import { s3Rules } from "./s3";
import { rdsRules } from "./rds";
import { elasticacheRules } from "./elasticache";
import { efsRules } from "./efs";
import { ecsRules } from "./ecs";
import { albRules } from "./alb";
import { securityGroupRules } from "./securityGroups";
import { iamRules } from "./iam";
import { logsRules } from "./logs";
import { kmsRules } from "./kms";
import { tagRules } from "./tags";

export const rules: Rule[] = [
  ...s3Rules,
  ...rdsRules,
  ...elasticacheRules,
  ...efsRules,
  ...ecsRules,
  ...albRules,
  ...securityGroupRules,
  ...iamRules,
  ...logsRules,
  ...kmsRules,
  ...tagRules,
];

export * from "./types";
