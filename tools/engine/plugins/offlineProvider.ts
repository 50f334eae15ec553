/**
 * One offline resource provider, served to the real Pulumi engine over gRPC by
 * @pulumi/pulumi/provider. It answers with the same deterministic outputs as the plan's mocks
 * (tools/plan/mockOutputs.ts: one table for both), validates arguments the way the cloud would
 * (./constraints), and never opens a network connection.
 */
import type * as provider from "@pulumi/pulumi/provider";
import * as fs from "fs";
import { isDeepStrictEqual } from "util";
import { mockCall, mockState } from "../../plan/mockOutputs";
import { checkConstraints } from "./constraints";
import { replacingKeys } from "./replaceOnChange";

const DEFAULT_REGION = "eu-central-1";

/** `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>` → stack, type and name. */
export function parseUrn(urn: string): { stack: string; type: string; name: string } {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return { stack: parts[0].replace(/^urn:pulumi:/, ""), type: qualified.split("$").pop() ?? qualified, name: parts.slice(3).join("::") };
}

function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  keys.delete("__defaults");
  return [...keys].filter((k) => !isDeepStrictEqual(olds[k], news[k])).sort();
}

export interface OfflineProviderOptions {
  version: string;
  /** The region the engine configured this provider instance with (aws only). */
  region: () => string | undefined;
}

export function offlineProvider(opts: OfflineProviderOptions): provider.Provider {
  const region = () => opts.region() ?? DEFAULT_REGION;
  const outputs = (urn: string, inputs: Record<string, any>) => {
    const { stack, type, name } = parseUrn(urn);
    return { id: `${name}-id`, outs: mockState(type, name, inputs, region(), stack) };
  };
  return {
    version: opts.version,
    async check(urn, _olds, news) {
      const { type } = parseUrn(urn);
      return { inputs: news, failures: checkConstraints(type, news) };
    },
    async diff(_id, urn, olds, news) {
      const { stack, type, name } = parseUrn(urn);
      // The engine hands Diff the old *outputs*: leave out what the provider computed.
      const computed = new Set(Object.keys(mockState(type, name, {}, region(), stack)));
      const oldInputs = Object.fromEntries(Object.entries(olds).filter(([k]) => k in news || !computed.has(k)));
      const changed = changedKeys(oldInputs, news);
      const replaces = replacingKeys(type, changed);
      // CHATBOT_ENGINE_DIFF_LOG=<file> records why a resource differs, for a surprising preview.
      const log = process.env.CHATBOT_ENGINE_DIFF_LOG;
      if (log && changed.length) fs.appendFileSync(log, JSON.stringify({ urn, changed: changed.map((k) => [k, oldInputs[k], news[k]]) }) + "\n");
      return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(urn, inputs) {
      return outputs(urn, inputs);
    },
    async read(id, _urn, props) {
      // The account is this process: what was created is what is there, so refresh finds no drift.
      return { id, props };
    },
    async update(_id, urn, _olds, news) {
      return { outs: outputs(urn, news).outs };
    },
    async delete() {
      return;
    },
    async invoke(token, inputs) {
      return { outputs: mockCall(token, inputs, region()), failures: [] };
    },
  };
}
