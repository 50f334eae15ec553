/**
 * Renders the real Pulumi program under runtime mocks and records every resource the way the
 * engine would see it: URN, parent, inputs (secrets as "[secret]"), protect, retainOnDelete,
 * dependencies and provider. The plan tool and every test use this one harness.
 *
 * It relies on internals of @pulumi/pulumi's mock monitor (its registerResource request and
 * resource map); test/harness.test.ts fails loudly if an SDK upgrade changes them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
// The module object itself (an `import *` would be a copy), to swap its internal leak tracking.
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx?: unknown) => Promise<unknown> };
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { APP_STACKS_OUTPUT } from "../../bootstrap/contract";
import { mockCall, mockState } from "./mockOutputs";
import { Plan, PlanResource, SECRET } from "./types";

const STACK_TYPE = "pulumi:pulumi:Stack";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface RenderOptions {
  project: string;
  stack: string;
  /** Full config (`<namespace>:<key>` -> string value), as the CLI would pass it. */
  config: Record<string, string>;
  /** Keys of `config` that are secrets. */
  secretKeys: string[];
  /** Requires the program (fresh, not from the module cache) and returns its exports. */
  load: () => Record<string, unknown>;
  /** Outputs of stacks the program reads with a StackReference, by stack name. */
  stackReferences?: Record<string, Record<string, unknown>>;
  /** Which of a referenced stack's outputs are secret; unlisted stacks: all of them. */
  stackReferenceSecrets?: Record<string, string[]>;
}

/** Replaces secrets by "[secret]", resource references by their URN, and drops unknowns. */
export function sanitize(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== UNKNOWN).map(sanitize);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const sig = obj[rpc.specialSigKey];
    if (sig === rpc.specialSecretSig) return SECRET;
    if (sig === rpc.specialResourceSig) return obj.urn;
    if (sig === rpc.specialAssetSig || sig === rpc.specialArchiveSig) {
      const { [rpc.specialSigKey]: _sig, ...rest } = obj;
      return { asset: sanitize(rest) };
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) {
      if (obj[k] === UNKNOWN || obj[k] === undefined) continue;
      out[k] = sanitize(obj[k]);
    }
    return out;
  }
  return value;
}

/** Provider config travels as JSON strings; the plan shows it as the objects the program wrote. */
function parseProviderInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    out[k] = typeof v === "string" && /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}

export const DYNAMIC_TYPE = "pulumi-nodejs:dynamic:Resource";
export const DYNAMIC_PROVIDER_CODE = "[serialized dynamic provider]";

/**
 * A dynamic resource's `__provider` input is its provider's code as serialized on this machine
 * (the loader's output differs between tsx and the CLI's ts-node): the plan names it, not its text.
 */
function withoutProviderCode(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  return type === DYNAMIC_TYPE && "__provider" in inputs ? { ...inputs, __provider: DYNAMIC_PROVIDER_CODE } : inputs;
}

/** Marks the named outputs secret in a serialized state, as the engine does for additionalSecretOutputs. */
function markSecret(state: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    const v = state[name];
    if (v === undefined || (v && typeof v === "object" && (v as any)[rpc.specialSigKey] === rpc.specialSecretSig)) continue;
    state[name] = { [rpc.specialSigKey]: rpc.specialSecretSig, value: v };
  }
}

export async function render(opts: RenderOptions): Promise<Plan> {
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
  const region = opts.config[`${opts.project}:region`] ?? "eu-central-1";
  const refs = opts.stackReferences ?? {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name);
          const outputs = refs[name];
          if (!outputs) throw new Error(`plan: no outputs mocked for stack reference "${name}"`);
          // The bootstrap stack exports no secret (ARNs, URLs): its outputs stay plain, as in the engine.
          return {
            id: name,
            state: { name, outputs, secretOutputNames: opts.stackReferenceSecrets?.[name] ?? Object.keys(outputs).filter((k) => k !== APP_STACKS_OUTPUT) },
          };
        }
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs, region, opts.stack) };
      },
      call: (args) => mockCall(args.token, args.inputs, region),
    },
    opts.project,
    opts.stack,
    false,
  );

  const resources = new Map<string, PlanResource>();
  const failures: unknown[] = [];
  const registered = new Set<string>();
  const types = new Map<string, string>();
  let stackOutputs: Record<string, unknown> = {};
  const monitor = settings.getMonitor() as any;
  if (typeof debuggable.debuggablePromise !== "function")
    throw new Error("plan harness: @pulumi/pulumi's runtime/debuggable changed shape; update tools/plan/harness.ts");
  if (typeof monitor?.newUrn !== "function" || typeof monitor?.mocks?.newResource !== "function") {
    throw new Error("plan harness: @pulumi/pulumi's MockMonitor changed shape; update tools/plan/harness.ts");
  }

  // The engine leaves the root stack out of its children's qualified type; the mock monitor does not.
  monitor.newUrn = (parent: string, type: string, name: string) => {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${opts.stack}::${opts.project}::${qualified}::${name}`;
  };

  monitor.registerResource = async (req: resproto.RegisterResourceRequest, callback: (err: unknown, resp?: unknown) => void) => {
    try {
      const type = req.getType();
      const urn = monitor.newUrn(req.getParent(), type, req.getName());
      // The engine refuses a second resource with the same type, name and parent; so does the plan.
      // Checked before the first await: registrations run concurrently. Recorded rather than
      // answered with an error, which would only surface as unhandled rejections.
      if (registered.has(urn)) failures.push(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`));
      registered.add(urn);
      const rawInputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const result = await monitor.mocks.newResource({
        type,
        name: req.getName(),
        inputs: rpc.deserializeProperties(req.getObject() ?? new structproto.Struct()),
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: req.getImportid(),
      });
      const state = (await rpc.serializeProperties("", result.state)) as Record<string, unknown>;
      markSecret(state, req.getAdditionalsecretoutputsList());
      monitor.resources.set(urn, { urn, id: result.id ?? null, state });
      const provider = req.getProvider() ? req.getProvider().split("::").slice(0, 4).join("::") : null;
      types.set(urn, type);
      resources.set(urn, {
        urn,
        type,
        name: req.getName(),
        parent: req.getParent() || null,
        inputs: sanitize(type.startsWith("pulumi:providers:") ? parseProviderInputs(rawInputs) : withoutProviderCode(type, rawInputs)) as Record<
          string,
          unknown
        >,
        options: {
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          dependsOn: [...new Set(req.getDependenciesList())].sort(),
        },
        provider,
      });
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(urn);
      resp.setId(result.id || "");
      resp.setObject(structproto.Struct.fromJavaScript(state as any));
      callback(null, resp);
    } catch (err) {
      callback(err);
    }
  };

  // A read (a StackReference) is a resource of the stack too: the engine lists it in the state.
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req: resproto.ReadResourceRequest, callback: (err: unknown, resp?: unknown) => void) => {
    const type = req.getType();
    const urn = monitor.newUrn(req.getParent(), type, req.getName());
    if (registered.has(urn)) failures.push(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`));
    registered.add(urn);
    types.set(urn, type);
    resources.set(urn, {
      urn,
      type,
      name: req.getName(),
      parent: req.getParent() || null,
      inputs: sanitize(req.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
      options: { protect: false, retainOnDelete: false, dependsOn: [...new Set(req.getDependenciesList())].sort() },
      provider: req.getProvider() ? req.getProvider().split("::").slice(0, 4).join("::") : null,
    });
    readResource(req, callback);
  };

  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: resproto.RegisterResourceOutputsRequest, callback: (err: unknown, resp?: unknown) => void) => {
    if (types.get(req.getUrn()) === STACK_TYPE) {
      stackOutputs = sanitize(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    }
    registerOutputs(req, callback);
  };

  // An error thrown in the program or in an apply fails a real `pulumi up`; here it surfaces as an
  // unhandled rejection, which must fail the render rather than crash the process.
  // As the CLI's Node.js runtime does, the first uncaught error ends the program: registrations
  // still waiting on what failed (e.g. a provider held back by it) never complete.
  const onUnhandled = (e: unknown) => {
    failures.push(e);
  };
  process.on("unhandledRejection", onUnhandled);
  // The SDK takes a stack trace per promise and per resource (debugging aids the plan never reads);
  // formatting them through source maps was a third of a render. One unmapped frame is kept.
  // Its promise-leak report (debuggablePromise) is for a real `pulumi up` exiting, not a render.
  const prepare = Error.prepareStackTrace;
  const leakTracking = debuggable.debuggablePromise;
  Error.prepareStackTrace = (err, frames) => `${String(err)}${frames.length ? `\n    at ${frames[0]}` : ""}`;
  debuggable.debuggablePromise = (p: Promise<unknown>) => p;
  try {
    // A throw escaping runInPulumiStack also rejects promises inside the SDK that nobody awaits.
    // A failure can also leave registrations waiting forever (a provider whose input rejected): with
    // nothing else pending Node would exit with status 0 mid-render, so a timer keeps the render
    // alive and ends it at the first recorded failure.
    let watch: NodeJS.Timeout | undefined;
    const failed = new Promise<void>((resolve) => {
      watch = setInterval(() => failures.length > 0 && resolve(), 50);
    });
    try {
      await Promise.race([
        (async () => {
          await pulumi.runtime.runInPulumiStack(async () => {
            try {
              return opts.load();
            } catch (e) {
              failures.unshift(e);
              return {};
            }
          });
          await settledRpcs();
        })(),
        failed,
      ]);
    } finally {
      clearInterval(watch);
    }
  } catch (e) {
    failures.unshift(e);
  } finally {
    await new Promise((r) => setImmediate(r));
    process.off("unhandledRejection", onUnhandled);
    Error.prepareStackTrace = prepare;
    debuggable.debuggablePromise = leakTracking;
  }
  if (failures.length > 0) throw failures[0];

  return {
    project: opts.project,
    stack: opts.stack,
    resources: [...resources.values()].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)),
    outputs: stackOutputs,
  };
}

/** Resources declared inside `apply` register after the stack's outputs resolve. */
async function settledRpcs(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    // waitForRPCs is exported by the runtime but marked internal in its typings.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}
