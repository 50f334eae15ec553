// Module hook for parseMermaid.mjs: mermaid's `dompurify` import resolves to the shim beside it.
export async function resolve(specifier, context, next) {
  if (specifier === "dompurify") return { url: new URL("./mermaidDomShim.mjs", import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
