/**
 * What a pr-<n> stack takes from the preview template beside its config: its own ESC
 * environments (Pulumi.preview.yaml's `environment:`, e.g. chatbot/preview with the previews' own
 * test credentials) and its secrets provider, set explicitly when the stack is created (Pulumi
 * Cloud's default would be its own service provider, not the template's KMS key).
 *
 * A backend without ESC (the engine tests' file backend) sets CHATBOT_ESC_OFFLINE_DIR: the
 * environments are then not imported, and secrets come from the source stack as without ESC
 * (the offline copies hold ciphertext, not values). CHATBOT_PREVIEW_SECRETS_PROVIDER overrides
 * the template's provider there (passphrase: no KMS offline).
 */
import * as path from "path";
import { environmentImports, resolveEnvironments } from "../plan/esc";

export interface PreviewStackSettings {
  /** ESC environments the stack imports; empty on a backend without ESC. */
  environments: string[];
  /** Secret keys those environments supply: not copied from the source stack. */
  suppliedKeys: string[];
  secretsProvider?: string;
  notes: string[];
}

export function previewStackSettings(template: unknown, root: string, env: NodeJS.ProcessEnv, project = "chatbot"): PreviewStackSettings {
  const doc = (template ?? {}) as Record<string, unknown>;
  const imports = environmentImports(doc, "Pulumi.preview.yaml");
  const secretsProvider = env.CHATBOT_PREVIEW_SECRETS_PROVIDER || (typeof doc.secretsprovider === "string" ? doc.secretsprovider : undefined);
  if (imports.length === 0) return { environments: [], suppliedKeys: [], secretsProvider, notes: [] };
  if (env.CHATBOT_ESC_OFFLINE_DIR) {
    return {
      environments: [],
      suppliedKeys: [],
      secretsProvider,
      notes: [`ESC environments ${imports.join(", ")} not imported (this backend has none: CHATBOT_ESC_OFFLINE_DIR); secrets come from the source stack`],
    };
  }
  // The offline copies say which keys the environments hold; Pulumi Cloud holds their values.
  const resolved = resolveEnvironments(imports, path.join(root, "esc"), project, "Pulumi.preview.yaml");
  return { environments: imports, suppliedKeys: [...resolved.secretKeys, ...Object.keys(resolved.values)].sort(), secretsProvider, notes: [] };
}
