/**
 * Tags: every taggable AWS resource carries project, stack, part and managed-by=pulumi, as
 * effective tags = the provider's `defaultTags.tags` overlaid with the resource's own `tags`.
 *
 * "Taggable" = the type's Args in the installed @pulumi/aws has a `tags` property; the list is
 * generated into policy/taggable.json by tools/audit/taggable.ts (a test fails when it is stale).
 */
import type { Rule } from "./types";
import { label, parseJson, SECRET } from "./util";
import taggable from "../taggable.json";

export const REQUIRED_TAGS = ["project", "stack", "part", "managed-by"] as const;
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggable.types);

/**
 * Provider `defaultTags.tags`. The engine may hand provider inputs with object values serialized
 * as JSON strings (how the Node SDK sends provider config), so both shapes are accepted.
 */
export function providerDefaultTags(providerInputs: Record<string, any> | undefined): Record<string, unknown> {
  const defaultTags = parseJson(providerInputs?.defaultTags);
  const tags = parseJson(defaultTags?.tags);
  return tags && typeof tags === "object" ? tags : {};
}

export function effectiveTags(inputs: Record<string, any>, providerInputs?: Record<string, any>): Record<string, unknown> {
  const own = parseJson(inputs.tags);
  return { ...providerDefaultTags(providerInputs), ...(own && typeof own === "object" ? own : {}) };
}

export const tagRules: Rule[] = [
  {
    kind: "resource",
    name: "tags-required",
    description:
      "Every taggable resource carries project, stack, part and managed-by=pulumi (normally from " +
      "the provider's defaultTags), so cost reports, incident response and clean-up of preview " +
      "stacks can tell what owns it.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (!TAGGABLE_TYPES.has(r.type)) return [];
      const tags = effectiveTags(r.inputs, r.providerInputs);
      const out: string[] = [];
      const missing = REQUIRED_TAGS.filter((k) => typeof tags[k] !== "string" || tags[k] === "");
      if (missing.length) out.push(`${label(r)}: missing tags ${missing.join(", ")}`);
      if (typeof tags["managed-by"] === "string" && tags["managed-by"] !== "pulumi") {
        out.push(`${label(r)}: tag managed-by must be "pulumi" (is "${tags["managed-by"]}")`);
      }
      const secret = Object.keys(tags).filter((k) => tags[k] === SECRET);
      if (secret.length) out.push(`${label(r)}: tags ${secret.join(", ")} hold secret values; tags are plain text`);
      return out;
    },
  },
];
