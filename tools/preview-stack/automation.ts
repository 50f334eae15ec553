/**
 * The thin layer over Pulumi's Automation API: every call here is one CLI invocation, and no
 * decision is made here (see decisions.ts). Without a Pulumi CLI on PATH, `connect` itself
 * fails with `ENOENT: pulumi version`; cli.ts turns that into one line.
 */
import { LocalWorkspace, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { ConfigMap, StackInfo } from "./decisions";

export interface UpOptions {
  policyPacks: string[];
  policyPackConfigs: string[];
  onOutput: (line: string) => void;
  /** ESC environments the stack imports (the template's own, never the source stack's). */
  environments?: string[];
  /** Secrets provider of a stack created now (the template's); an existing stack keeps its own. */
  secretsProvider?: string;
}

/** What the CLI needs from Pulumi; tests pass a fake. */
export interface PreviewBackend {
  /** Decrypted config of an existing stack (`pulumi config --show-secrets --json`). */
  readConfig(stack: string): Promise<ConfigMap>;
  /** Plain outputs of a stack (secret ones as "[secret]"), or null when the stack does not exist. */
  readOutputs(stack: string): Promise<Record<string, unknown> | null>;
  /** Tags of a stack, or null when the stack does not exist. */
  readTags(stack: string): Promise<Record<string, string> | null>;
  /** Create or select the stack, replace its config, set its tags, `pulumi up`. Returns the outputs. */
  up(stack: string, config: ConfigMap, tags: Record<string, string>, opts: UpOptions): Promise<Record<string, unknown>>;
  /** `pulumi destroy` then `pulumi stack rm`; false when there was no such stack. */
  destroy(stack: string, onOutput: (line: string) => void): Promise<boolean>;
  /** Every stack of the project with its tags. */
  list(): Promise<StackInfo[]>;
}

/** A list or map travels as JSON in a ConfigMap; in the stack file it is YAML again. */
function typedValue(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Opens the project in `workDir` (Pulumi.yaml). Throws the CLI's ENOENT when it is absent. */
export async function connect(workDir: string): Promise<PreviewBackend> {
  const ws = await LocalWorkspace.create({ workDir });

  const exists = async (name: string) => (await ws.listStacks()).some((s) => s.name === name || s.name.endsWith(`/${name}`));

  return {
    readConfig: (stack) => ws.getAllConfig(stack),

    async readOutputs(stack) {
      if (!(await exists(stack))) return null;
      const outputs = await ws.stackOutputs(stack);
      return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.secret ? "[secret]" : o.value]));
    },

    async readTags(stack) {
      if (!(await exists(stack))) return null;
      return ws.listTags(stack);
    },

    async up(stack, config, tags, opts) {
      if (opts.secretsProvider && !(await exists(stack))) {
        // Given explicitly: without it Pulumi Cloud would encrypt with its own service key.
        const creating = await LocalWorkspace.create({ workDir, secretsProvider: opts.secretsProvider });
        await creating.createStack(stack);
      }
      const s = await Stack.createOrSelect(stack, ws);
      // Plain values are written into the stack file whole (a key removed from the template must
      // not linger from an earlier up) and typed: the CLI checks them against Pulumi.yaml, and
      // refuses a list given as a JSON string ("must be of type 'array<string>'"). Secrets are
      // then set through the CLI, which encrypts them.
      const settings = await ws.stackSettings(stack);
      settings.config = Object.fromEntries(
        Object.entries(config)
          .filter(([, v]) => !v.secret)
          .map(([k, v]) => [k, typedValue(v.value)]),
      );
      await ws.saveStackSettings(stack, settings);
      const secrets = Object.fromEntries(Object.entries(config).filter(([, v]) => v.secret));
      if (Object.keys(secrets).length > 0) await ws.setAllConfig(stack, secrets);
      // After saveStackSettings, which writes no `environment:` of its own.
      const imported = await ws.listEnvironments(stack).catch(() => [] as string[]);
      const missing = (opts.environments ?? []).filter((e) => !imported.includes(e));
      if (missing.length > 0) await ws.addEnvironments(stack, ...missing);
      for (const [k, v] of Object.entries(tags)) await ws.setTag(stack, k, v);
      const res = await s.up({
        onOutput: opts.onOutput,
        policyPacks: opts.policyPacks.length ? opts.policyPacks : undefined,
        policyPackConfigs: opts.policyPackConfigs.length ? opts.policyPackConfigs : undefined,
      });
      return Object.fromEntries(Object.entries(res.outputs).map(([k, o]) => [k, o.secret ? "[secret]" : o.value]));
    },

    async destroy(stack, onOutput) {
      let s: Stack;
      try {
        s = await Stack.select(stack, ws);
      } catch (e) {
        if (e instanceof StackNotFoundError) return false;
        throw e;
      }
      await s.destroy({ onOutput });
      await ws.removeStack(stack);
      return true;
    },

    async list() {
      const stacks = await ws.listStacks();
      const out: StackInfo[] = [];
      for (const s of stacks) {
        out.push({ name: s.name, lastUpdate: s.lastUpdate, tags: await ws.listTags(s.name) });
      }
      return out;
    },
  };
}
