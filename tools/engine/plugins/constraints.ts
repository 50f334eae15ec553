/**
 * Argument rules the cloud enforces at create time and runtime mocks let through. Each rule
 * names its source; a violation fails Check, so `pulumi preview` stops naming the resource and
 * the argument before anything is created.
 */
export interface CheckFailure {
  property: string;
  reason: string;
}

type Rule = (inputs: Record<string, any>) => CheckFailure[];

const rules: Record<string, Rule[]> = {};

export function checkConstraints(type: string, inputs: Record<string, any>): CheckFailure[] {
  return (rules[type] ?? []).flatMap((rule) => rule(inputs));
}
