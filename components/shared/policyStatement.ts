import * as pulumi from "@pulumi/pulumi";

/**
 * One statement of an IAM policy a component writes (task roles, execution roles). Resources are
 * ARNs, never `*` unless the action has no resource to scope to: the policy pack checks.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: pulumi.Input<string> | pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/** The policy document JSON of `statements` (Outputs anywhere inside are resolved first). */
export function policyDocument(statements: pulumi.Input<pulumi.Input<PolicyStatement>[]>): pulumi.Output<string> {
  return pulumi.output(statements).apply((s) => JSON.stringify({ Version: "2012-10-17", Statement: s }));
}
