/**
 * Builders for config keys. Each key has one JSON Schema (checked by Ajv), a default, a description
 * and a human phrase of what is allowed; the same spec generates Pulumi.yaml's `config:` block and
 * the README's config reference, so the three cannot drift apart.
 */
export type PulumiType = "string" | "integer" | "boolean" | "array";

export interface KeySpec<T = unknown> {
  pulumiType: PulumiType;
  schema: Record<string, unknown>;
  description: string;
  /** What a reviewer reads when the value is rejected. */
  allowed: string;
  default?: T;
  secret?: boolean;
  /** A check beyond the schema, for rules JSON Schema cannot say well; returns the problem. */
  check?: (value: T) => string | undefined;
  /** Offline plan stand-in for a secret with no value; must itself pass validation for the tier. */
  placeholder?: string | ((tier: string) => string);
  /** Phantom field carrying the value type for StackConfig. */
  readonly __type?: T;
}

interface Common<T> {
  description: string;
  default?: T;
}

export function str(
  o: Common<string> & { pattern?: RegExp; allowed?: string; format?: string; minLength?: number; check?: (value: string) => string | undefined },
): KeySpec<string> {
  const schema: Record<string, unknown> = { type: "string" };
  if (o.pattern) schema.pattern = o.pattern.source;
  if (o.format) schema.format = o.format;
  if (o.minLength !== undefined) schema.minLength = o.minLength;
  const allowed = o.allowed ?? (o.pattern ? `a string matching ${o.pattern.source}` : o.format ? `a ${o.format}` : "a string");
  return { pulumiType: "string", schema, description: o.description, allowed, default: o.default, check: o.check };
}

export function int(o: Common<number> & { min?: number; max?: number }): KeySpec<number> {
  const schema: Record<string, unknown> = { type: "integer" };
  if (o.min !== undefined) schema.minimum = o.min;
  if (o.max !== undefined) schema.maximum = o.max;
  const range = [o.min !== undefined ? `>= ${o.min}` : "", o.max !== undefined ? `<= ${o.max}` : ""].filter(Boolean).join(" and ");
  return { pulumiType: "integer", schema, description: o.description, allowed: `an integer${range ? " " + range : ""}`, default: o.default };
}

export function bool(o: Common<boolean>): KeySpec<boolean> {
  return { pulumiType: "boolean", schema: { type: "boolean" }, description: o.description, allowed: "true or false", default: o.default };
}

export function oneOf<const V extends string>(values: readonly V[], o: Common<V>): KeySpec<V> {
  return {
    pulumiType: "string",
    schema: { type: "string", enum: values },
    description: o.description,
    allowed: `one of ${values.join(", ")}`,
    default: o.default,
  };
}

/** An integer from a fixed set (e.g. the retention periods CloudWatch accepts). */
export function intOneOf(values: readonly number[], o: Common<number>): KeySpec<number> {
  return {
    pulumiType: "integer",
    schema: { type: "integer", enum: values },
    description: o.description,
    allowed: `one of ${values.join(", ")}`,
    default: o.default,
  };
}

export function list(o: Common<string[]> & { item: Record<string, unknown>; itemAllowed: string; maxItems?: number }): KeySpec<string[]> {
  const schema: Record<string, unknown> = { type: "array", items: { type: "string", ...o.item }, uniqueItems: true };
  if (o.maxItems !== undefined) schema.maxItems = o.maxItems;
  return { pulumiType: "array", schema, description: o.description, allowed: `a list of ${o.itemAllowed}`, default: o.default };
}

/** A secret string; required unless a default is given. */
export function secret(o: { description: string; pattern?: RegExp; allowed?: string; placeholder: string | ((tier: string) => string) }): KeySpec<string> {
  const schema: Record<string, unknown> = { type: "string", minLength: 1 };
  if (o.pattern) schema.pattern = o.pattern.source;
  return {
    pulumiType: "string",
    schema,
    description: o.description,
    secret: true,
    placeholder: o.placeholder,
    allowed: o.allowed ?? "a non-empty secret string",
  };
}

export type ValueOf<S> = S extends KeySpec<infer T> ? T : never;
