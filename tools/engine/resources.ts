/**
 * The engine's view of a stack's resources (from a `pulumi stack export` deployment) beside the
 * offline plan's, in one shape, and what differs between them.
 */
import type { Plan } from "../plan/types";

export interface ResourceView {
  urn: string;
  type: string;
  parent: string | null;
  protect: boolean;
  retainOnDelete: boolean;
  /** Explicit provider URN; null for the engine's default provider of a package. */
  provider: string | null;
}

interface EngineState {
  urn: string;
  type: string;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  provider?: string;
}

/** `urn::id` → `urn`; a default provider (`default` or `default_<version>`) → null. */
function explicitProvider(ref: string | undefined): string | null {
  if (!ref) return null;
  const urn = ref.split("::").slice(0, 4).join("::");
  return /::default(_[\d_]+)?$/.test(urn) ? null : urn;
}

function isDefaultProvider(s: EngineState): boolean {
  return s.type.startsWith("pulumi:providers:") && explicitProvider(s.urn) === null;
}

export function fromEngineStates(states: EngineState[]): ResourceView[] {
  return states
    .filter((s) => !isDefaultProvider(s))
    .map((s) => ({
      urn: s.urn,
      type: s.type,
      parent: s.parent || null,
      protect: s.protect === true,
      retainOnDelete: s.retainOnDelete === true,
      provider: explicitProvider(s.provider),
    }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
}

export function fromPlan(plan: Plan): ResourceView[] {
  return plan.resources
    .map((r) => ({ urn: r.urn, type: r.type, parent: r.parent, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete, provider: r.provider }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
}

/** One line per disagreement, naming the resource: empty when engine and plan agree. */
export function disagreements(engine: ResourceView[], plan: ResourceView[]): string[] {
  const byUrn = new Map(plan.map((r) => [r.urn, r]));
  const out: string[] = [];
  for (const e of engine) {
    const p = byUrn.get(e.urn);
    if (!p) {
      out.push(`only in the engine: ${e.urn}`);
      continue;
    }
    byUrn.delete(e.urn);
    for (const field of ["type", "parent", "protect", "retainOnDelete", "provider"] as const) {
      if (e[field] !== p[field]) out.push(`${e.urn}: ${field} is ${JSON.stringify(e[field])} in the engine, ${JSON.stringify(p[field])} in the plan`);
    }
  }
  for (const urn of byUrn.keys()) out.push(`only in the plan: ${urn}`);
  return out;
}
