/**
 * npm run plan -- diff <stackA> <stackB> [--json FILE] [--keys k1,k2]
 *
 * Exit status: 0 every difference is explained by a config key; 1 some difference is not (or a
 * stack failed to render); 2 usage error.
 */
import * as fs from "fs";
import { EXIT, failureLine, parseFlags, UsageError } from "../cli/args";
import { progress } from "../cli/progress";
import { requireStack } from "../cli/stacks";
import { AttributedDifference, configDifferences, diffStacks, PRESENCE, StackDiff, StackRenderer } from "./diff";
import { incrementalRenderer } from "./incremental";
import { showPair } from "./showPair";
import { loadStackConfig } from "./stackConfig";

const USAGE = `usage: npm run plan -- diff <stackA> <stackB> [--json FILE] [--keys key1,key2]

Renders both stacks and attributes every difference to the config keys behind it, re-rendering
<stackA> once per differing key, incrementally (progress on stderr).

  --json FILE      write the attributed differences as JSON
  --keys k1,k2     attribute only these keys
  -h, --help       this text

exit status: 0 every difference explained by config, 1 some unexplained (or a render failed), 2 usage error`;

function change(a: unknown, b: unknown): string {
  const [sa, sb] = showPair(a, b);
  return `${sa} -> ${sb}`;
}

function cause(d: AttributedDifference): string {
  const keys = d.combination ? `${d.keys.join(" + ")} (together)` : d.keys.join(" | ");
  if (d.unexplained) {
    return d.keys.length
      ? `UNEXPLAINED: changed by ${keys}, but still differs with all of the other stack's config`
      : "UNEXPLAINED: no config key, alone or together, changes it";
  }
  return d.keys.length ? `<- ${keys}` : "<- config (a key not attributed: --keys)";
}

/** Human-readable: config differences, then per component and resource what differs and why. */
export function formatStackDiff(diff: StackDiff): string {
  const { stackA: a, stackB: b } = diff;
  const lines = [
    `Diff of ${diff.project}: ${a} -> ${b} (stack names normalised to <stack>; offline, runtime mocks)`,
    "",
    `config keys that differ (${diff.config.length}):`,
    ...diff.config.map((c) => `  ${c.key}: ${change(c.a, c.b)}`),
    `secrets not compared (placeholders offline, "[secret]" in plans): ${diff.secretKeys.join(", ") || "none"}`,
  ];
  const byComponent = new Map<string, Map<string, AttributedDifference[]>>();
  for (const d of diff.differences) {
    const resources = byComponent.get(d.component) ?? new Map<string, AttributedDifference[]>();
    resources.set(d.resource, [...(resources.get(d.resource) ?? []), d]);
    byComponent.set(d.component, resources);
  }
  for (const component of [...byComponent.keys()].sort()) {
    lines.push("", `${component}`);
    for (const ds of byComponent.get(component)!.values()) {
      const presence = ds.find((d) => d.path === PRESENCE);
      if (presence) {
        lines.push(`  ${presence.a ? `only in ${a}` : `only in ${b}`}: ${presence.type} ${presence.name}   ${cause(presence)}`);
        continue;
      }
      lines.push(`  ${ds[0].type} ${ds[0].name}`);
      for (const d of ds) lines.push(`    ${d.path}: ${change(d.a, d.b)}   ${cause(d)}`);
    }
  }
  if (diff.attributedKeys.length < diff.config.length) lines.push("", `attributed one by one: ${diff.attributedKeys.join(", ")} (--keys)`);
  if (!diff.residual) lines.push("", `note: ${a} with all of ${b}'s config did not render, so stack-name dependence was judged by the flips alone`);
  for (const f of diff.failedFlips) lines.push("", `note: flipping ${f.keys.join(" + ")} alone does not render: ${f.error}`);
  const total = diff.differences.length;
  lines.push("", `${total} difference(s), ${total - diff.unexplained} explained by config, ${diff.unexplained} unexplained; ${diff.renders} renders`);
  return lines.join("\n");
}

/** Runs the diff; returns the exit status. `render` is injectable for tests. */
export async function diffCommand(args: string[], render: StackRenderer = incrementalRenderer(), out: (s: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(args, { json: { type: "string" }, keys: { type: "string" } });
    if (parsed.help) {
      out(USAGE);
      return EXIT.ok;
    }
    const [a, b, ...extra] = parsed.positionals;
    if (!a || !b || extra.length || a === b) throw new UsageError("two different stacks, please");
    requireStack(a);
    requireStack(b);
  } catch (e) {
    console.error(`${failureLine("plan diff", e)}\n${USAGE.split("\n\n")[0]}`);
    return EXIT.usage;
  }
  const [stackA, stackB] = parsed.positionals;
  const started = Date.now();
  const keys = parsed.values.keys
    ?.split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  // Renders: both stacks, all of B's keys at once, then one per attributed key (combinations add more).
  const differing = configDifferences(loadStackConfig(stackA), loadStackConfig(stackB)).map((c) => c.key);
  const bar = progress(3 + differing.filter((k) => !keys || keys.includes(k)).length);
  let label = `render ${stackA}`;
  const counted: StackRenderer = (o) => {
    bar.step(label);
    label = o.stack === stackA && !o.configFile ? `render ${stackB}` : "render";
    return render(o);
  };
  const diff = await diffStacks(stackA, stackB, counted, { keys, log: (l) => void (label = l) });
  out(formatStackDiff(diff) + ` in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (parsed.values.json) {
    fs.writeFileSync(parsed.values.json, JSON.stringify(diff, null, 2) + "\n");
    out(`wrote ${parsed.values.json}`);
  }
  return diff.unexplained ? 1 : 0;
}
