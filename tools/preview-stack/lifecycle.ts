/**
 * Creating and destroying a preview stack, the one way each is done: `up` refuses before any
 * Pulumi change when the template is not of the preview tier or its lender is not deployed, and
 * destroys a stack whose creation failed; `destroy`, the TTL sweeper and a failed creation all
 * go through destroyPreview.
 */
import { missingOutputsMessage, missingSharedOutputs } from "../../infra/parts/shared";
import type { PreviewBackend, UpOptions } from "./automation";
import { ConfigMap, PreviewStackError, PROJECT } from "./decisions";

/** `pulumi destroy` and `stack rm` of one preview stack; false when there was none. */
export function destroyPreview(backend: PreviewBackend, stack: string, onOutput: (line: string) => void): Promise<boolean> {
  return backend.destroy(stack, onOutput);
}

/** The checks of a preview's config before anything is created; throws PreviewStackError with one line. */
export async function checkPreviewTier(backend: PreviewBackend, stack: string, config: ConfigMap): Promise<void> {
  const tier = config[`${PROJECT}:tier`]?.value;
  if (tier !== "preview") {
    throw new PreviewStackError(
      `Pulumi.preview.yaml is of tier ${JSON.stringify(tier ?? "")}, not "preview": a ${stack} stack is only made from the preview tier; set ${PROJECT}:tier: preview there`,
    );
  }
  const lender = config[`${PROJECT}:sharedInfraStack`]?.value;
  if (!lender) return;
  const outputs = await backend.readOutputs(lender);
  if (outputs === null) {
    throw new PreviewStackError(
      `preview tier: stack ${lender} does not exist, so ${stack} cannot borrow its infrastructure: deploy ${lender} first (pulumi up --stack ${lender})`,
    );
  }
  const missing = missingSharedOutputs(outputs);
  if (missing.length > 0) throw new PreviewStackError(missingOutputsMessage(stack, lender, missing));
}

/**
 * `pulumi up` of the preview; when the stack did not exist before and the `up` fails, it is
 * destroyed (and removed) before the error is passed on, so no half-built preview is left
 * behind to cost money and hold names. A failed update of an existing stack keeps it: it was
 * working before, and the next push retries.
 */
export async function upPreview(
  backend: PreviewBackend,
  stack: string,
  config: ConfigMap,
  tags: Record<string, string>,
  opts: UpOptions & { existed: boolean },
): Promise<Record<string, unknown>> {
  try {
    return await backend.up(stack, config, tags, opts);
  } catch (e) {
    if (opts.existed) throw e;
    const first = firstError(e);
    try {
      await destroyPreview(backend, stack, opts.onOutput);
    } catch (d) {
      throw new PreviewStackError(
        `${stack}: creation failed (${first}) and so did its destroy (${(d as Error).message.split("\n")[0]}); run: npm run preview-stack -- destroy ${stack.replace(/^pr-/, "")}`,
      );
    }
    throw new PreviewStackError(`${stack}: creation failed and the half-built stack was destroyed: ${first}`);
  }
}

/** The line of a Pulumi failure worth a PR author's eye: the first `error:` line, else the first line. */
export function firstError(e: unknown): string {
  const lines = (e instanceof Error ? `${e.message}\n${(e as { stderr?: string }).stderr ?? ""}` : String(e))
    .split("\n")
    .map((l) => l.trim().replace(/^(stdout|stderr):\s*/, ""))
    .filter(Boolean);
  return lines.find((l) => /^error:/i.test(l)) ?? lines.find((l) => /error/i.test(l) && !/^code:/.test(l)) ?? lines[0] ?? "unknown error";
}
