/**
 * Records and replays the top-level components of a render, so that a render with one config key
 * changed constructs only the components whose arguments change (tools/plan/incremental.ts).
 *
 * Why this is sound: components never read config (DESIGN.md); what a component registers is a
 * function of its name, its arguments (plain values and the resolved values of the Outputs it is
 * given) and its options (the per-part provider). So a component whose resolved arguments and
 * options equal those of the base render registers exactly what it registered there, and the base
 * render's instance can stand in for it: the program reads the same outputs from it.
 */
import * as fs from "fs";
import Module from "module";
import * as vm from "vm";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ROOT } from "./stackConfig";

/** One top-level `new Component(name, args, opts)` call of a render. */
export interface ComponentCall {
  /** `<Class>::<name>`: the same for the same component in every render of the program. */
  key: string;
  args: unknown;
  opts: unknown;
  /** The constructed instance, or the base render's instance that stood in for it. */
  instance: object;
  replayed: boolean;
}

/** What the component constructors do during one render. */
export interface MemoSession {
  calls: ComponentCall[];
  /** Instances of the base render by key; a call whose key is here and not in `construct` is replayed. */
  replay?: Map<string, object>;
  /** Keys that must be constructed for real even though the base render has them. */
  construct?: Set<string>;
}

let session: MemoSession | undefined;

function isComponentClass(v: unknown): v is new (...a: unknown[]) => object {
  return typeof v === "function" && v.prototype instanceof pulumi.ComponentResource;
}

/** A component class whose top-level constructions are recorded, and replayed when the session says so. */
function traced<T extends new (...a: any[]) => object>(cls: T): T {
  return new Proxy(cls, {
    construct(target, argList, newTarget) {
      const [name, args, opts] = argList as [string, unknown, pulumi.ComponentResourceOptions | undefined];
      // Only top-level components: a component's own children follow from its arguments.
      if (!session || opts?.parent) return Reflect.construct(target, argList, newTarget);
      const key = `${target.name}::${name}`;
      const stand = session.construct?.has(key) ? undefined : session.replay?.get(key);
      const instance = stand ?? Reflect.construct(target, argList, newTarget);
      session.calls.push({ key, args, opts, instance, replayed: !!stand });
      return instance;
    },
  });
}

const traceable = new WeakSet<object>();
let compiledEntry: { file: string; mtimeMs: number; fn: (...a: unknown[]) => void } | undefined;

/**
 * Runs the entry point as a fresh module. Its transpiled body is compiled once and called again per
 * render: compiling it anew each time was a fifth of an incremental render.
 */
function runEntry(entry: string): Record<string, unknown> {
  const mtimeMs = fs.statSync(entry).mtimeMs;
  if (compiledEntry?.file !== entry || compiledEntry.mtimeMs !== mtimeMs) {
    let source: string | undefined;
    const proto = Module.prototype as unknown as { _compile(content: string, filename: string): unknown };
    const compile = proto._compile;
    proto._compile = function (this: unknown, content: string, filename: string) {
      // Captured, not run: the program runs below, as every later render runs it.
      if (filename === entry) source = content;
      else return compile.call(this, content, filename);
    };
    try {
      delete require.cache[entry];
      require(entry);
    } finally {
      proto._compile = compile;
    }
    delete require.cache[entry];
    if (source === undefined) throw new Error(`plan diff: could not capture the compiled ${entry}`);
    compiledEntry = {
      file: entry,
      mtimeMs,
      fn: vm.compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], { filename: entry }) as (...a: unknown[]) => void,
    };
  }
  const m = new Module(entry, module);
  m.filename = entry;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(entry));
  const req = ((id: string) => m.require(id)) as NodeJS.Require;
  compiledEntry.fn.call(
    m.exports,
    m.exports,
    Object.assign(req, { resolve: (id: string) => require.resolve(id, { paths: [path.dirname(entry)] }), cache: require.cache }),
    m,
    entry,
    path.dirname(entry),
  );
  m.loaded = true;
  return m.exports;
}

const PARTS_DIR = path.join(ROOT, "infra", "parts") + path.sep;

function componentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? componentFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/**
 * Loads the program fresh with its component classes traced: the entry point runs again, while
 * the modules it imports stay loaded (components/ and infra/ hold no state between renders, and
 * compiling infra/config/'s ~90 JSON schemas again was a tenth of a render).
 */
export function loadTracedProgram(s: MemoSession): Record<string, unknown> {
  const entry = require.resolve(path.join(ROOT, "infra"));
  delete require.cache[entry];
  let replaced = false;
  for (const file of componentFiles(path.join(ROOT, "components"))) {
    const id = require.resolve(file);
    require(id);
    const mod = require.cache[id]!;
    if (traceable.has(mod.exports)) continue;
    const exportsCopy: Record<string, unknown> = {};
    for (const k of Object.keys(mod.exports)) exportsCopy[k] = isComponentClass(mod.exports[k]) ? traced(mod.exports[k]) : mod.exports[k];
    Object.defineProperty(exportsCopy, "__esModule", { value: true });
    mod.exports = exportsCopy;
    traceable.add(exportsCopy);
    replaced = true;
  }
  // infra/parts/ constructs the components: a part module loaded before the tracing holds the
  // untraced exports, so it is loaded again (once) to bind the traced ones.
  if (replaced) for (const id of Object.keys(require.cache)) if (id.startsWith(PARTS_DIR)) delete require.cache[id];
  session = s;
  try {
    return runEntry(entry);
  } finally {
    // Components constructed later (inside an apply) are children of a top-level one: never replayed.
    session = undefined;
  }
}

/**
 * A component's arguments and options as comparable JSON: Outputs resolved (and marked when
 * secret), resources by URN, providers with their inputs (a provider in another region changes
 * every child). `providerInputs` looks a provider's inputs up in the render's plan.
 */
export async function canonical(value: unknown, providerInputs: (urn: string) => unknown): Promise<string> {
  const walk = async (v: unknown, depth: number): Promise<unknown> => {
    if (depth > 40) throw new Error("plan diff: component arguments nest deeper than 40 levels");
    if (pulumi.Output.isInstance(v)) {
      const o = v as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
      const inner = await walk(await o.promise(), depth + 1);
      return (await o.isSecret) ? { "(secret)": inner } : inner;
    }
    if (pulumi.Resource.isInstance(v)) {
      const urn = await (v.urn as unknown as { promise(): Promise<string> }).promise();
      return urn.includes("::pulumi:providers:") ? { "(provider)": urn, inputs: providerInputs(urn) } : { "(resource)": urn };
    }
    if (v && typeof (v as PromiseLike<unknown>).then === "function") return walk(await v, depth + 1);
    if (Array.isArray(v)) return Promise.all(v.map((x) => walk(x, depth + 1)));
    if (typeof v === "function") return `(function ${v.name})`;
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = await walk(x, depth + 1);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(await walk(value, 0));
}
