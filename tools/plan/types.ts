/** The offline plan contract (../shared/DESIGN.md, "Offline plan"). Other tools read this shape. */

export const SECRET = "[secret]";

export interface PlanResourceOptions {
  protect: boolean;
  retainOnDelete: boolean;
  /** URNs this resource waits for (explicit dependsOn and input dependencies). */
  dependsOn: string[];
}

export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  /** Parent URN, or null for the stack itself. */
  parent: string | null;
  /** Inputs as the program declared them; every secret value is the string "[secret]". */
  inputs: Record<string, unknown>;
  options: PlanResourceOptions;
  /** URN of the explicit provider resource, when one was given (e.g. the tagging AWS provider). */
  provider: string | null;
}

export interface Plan {
  project: string;
  stack: string;
  resources: PlanResource[];
  outputs: Record<string, unknown>;
}
