/**
 * Error stacks that Node.js 20 can print. The SDK's uncaught-error handler formats every program
 * error with `util.inspect(err, { colors: true })`, and Node 20.20's inspect loops, growing one
 * string until the heap or the longest string gives out, on a stack frame whose path ends inside
 * node_modules with no separator after the package (nodejs/node#64011; fixed upstream by #64022 in
 * June 2026, after Node 20's end of life, and Node 20 is what runs here). The SDK's own source maps
 * make exactly such frames: `output.js` maps to `node_modules/@pulumi/output.ts`, a file that does
 * not exist. Measured here: a preview stack whose lender is not deployed took 25 s to be refused
 * (216-404 s on a loaded machine), ~20 s of it in that loop. Dropping those phantom frames when a
 * stack is first formatted keeps every real one.
 */

/** A path that ends in node_modules' package part, as Node 20's inspect cannot format (see above). */
function phantom(line: string): boolean {
  for (let at = line.indexOf("node_modules"); at !== -1; at = line.indexOf("node_modules", at + 1)) {
    const [before, after] = [line[at - 1], line[at + 12]];
    if ((before !== "/" && before !== "\\") || (after !== "/" && after !== "\\")) continue;
    const rest = line.slice(at + 13);
    const separators = rest.split(/[/\\]/).length - 1;
    if (separators < (rest.startsWith("@") ? 2 : 1)) return true;
  }
  return false;
}

/** The stack without its phantom frames; the message lines (before the first frame) are kept as they are. */
export function withoutPhantomFrames(stack: string): string {
  const lines = stack.split("\n");
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  if (firstFrame === -1) return stack;
  return [...lines.slice(0, firstFrame), ...lines.slice(firstFrame).filter((l) => !phantom(l))].join("\n");
}

const WRAPPED = Symbol.for("chatbot.printableErrorStacks");
type StackFormatter = ((error: Error, frames: NodeJS.CallSite[]) => unknown) & { [WRAPPED]?: true };

/**
 * Wraps the installed stack formatter (the SDK's TypeScript loader installs source-map-support's),
 * once per process: a plan renders the program many times in one process. Without a formatter
 * installed, V8 names the real compiled files, which Node formats fine.
 */
export function printableErrorStacks(): void {
  const format = Error.prepareStackTrace as StackFormatter | undefined;
  if (!format || format[WRAPPED]) return;
  const wrapped: StackFormatter = (error, frames) => {
    const stack = format(error, frames);
    return typeof stack === "string" ? withoutPhantomFrames(stack) : stack;
  };
  wrapped[WRAPPED] = true;
  Error.prepareStackTrace = wrapped;
}
