/** IAM: no wildcard admin statements, no AdministratorAccess. */
import type { Rule, ResourceView } from "./types";
import { asArray, label, parseJson, SECRET, statements } from "./util";

/** Resources whose `policy` input is an IAM policy document. */
export const POLICY_DOCUMENT_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
export const ROLE = "aws:iam/role:Role";
/** Resources that attach a managed policy through `policyArn`. */
export const ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];

const ADMIN_POLICY = /:policy\/AdministratorAccess$/;

/** An Allow statement granting every action ("*" or "*:*") on every resource ("*"). */
export function isAdminStatement(s: any): boolean {
  if (!s || s.Effect !== "Allow") return false;
  const actions = asArray(s.Action);
  const resources = asArray(s.Resource);
  return actions.some((a) => a === "*" || a === "*:*") && resources.includes("*");
}

/** The policy documents a resource declares, with where each comes from. */
function documents(r: ResourceView): { where: string; doc: unknown }[] {
  if (POLICY_DOCUMENT_TYPES.includes(r.type)) return [{ where: label(r), doc: r.inputs.policy }];
  if (r.type === ROLE) {
    return asArray(r.inputs.inlinePolicies).map((p) => ({ where: `${label(r)} inline policy "${p?.name ?? "?"}"`, doc: p?.policy }));
  }
  return [];
}

export const iamRules: Rule[] = [
  {
    kind: "resource",
    name: "iam-no-wildcard-admin",
    description:
      'No policy allows Action "*" on Resource "*": every role gets what its service needs, ' + "so one compromised container cannot take over the account.",
    enforcementLevel: "mandatory",
    check: (r) =>
      documents(r).flatMap(({ where, doc }) => {
        if (doc === SECRET) return [`${where}: policy document is secret and cannot be checked`];
        if (doc !== undefined && parseJson(doc) === undefined) return [`${where}: policy document is not valid JSON`];
        return statements(doc).some(isAdminStatement) ? [`${where}: a statement allows Action "*" on Resource "*"`] : [];
      }),
  },
  {
    kind: "resource",
    name: "iam-no-administrator-access",
    description: "The AWS managed AdministratorAccess policy is never attached to anything this program creates.",
    enforcementLevel: "mandatory",
    check: (r) => {
      const arns = ATTACHMENT_TYPES.includes(r.type) ? [r.inputs.policyArn] : r.type === ROLE ? asArray(r.inputs.managedPolicyArns) : [];
      return arns.some((a) => typeof a === "string" && ADMIN_POLICY.test(a)) ? [`${label(r)}: attaches the AdministratorAccess managed policy`] : [];
    },
  },
];
