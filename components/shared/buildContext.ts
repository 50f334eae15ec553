/**
 * Image sources from config, and the content tag an image built from this repository is pushed
 * under.
 *
 * Why a content tag: the ECR repositories have IMMUTABLE tags, so a tag can be pushed once. The
 * `@pulumi/docker` Image resource rebuilds and pushes whenever its own digest of the build
 * context changes (the provider's Check hashes every file of the context that
 * `<context>/.dockerignore` — `<context>/<name>.dockerignore` for a Dockerfile not named
 * `Dockerfile` — leaves in, plus the Dockerfile). A fixed tag would be rejected on the first
 * rebuild; a per-run tag (time, run id) would push and roll out on every `pulumi up`. So the tag is
 * a digest of the same file set (plus Dockerfile path, platform and build args): it changes exactly when
 * the provider would push, a second `pulumi up` with nothing changed has no diff and pushes
 * nothing, and a changed context pushes a tag that cannot exist yet. Task definitions then use
 * the pushed `repoDigest`, so only what changed rolls out.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export type ImageSource = { kind: "build"; context: string; dockerfile: string } | { kind: "prebuilt"; uri: string };

/** `build:<context>[#<dockerfile>]` (paths relative to the repository root) or a digest-pinned URI. */
export function parseImageSource(value: string): ImageSource {
  if (!value.startsWith("build:")) return { kind: "prebuilt", uri: value };
  const [context, dockerfile] = value.slice("build:".length).split("#");
  return { kind: "build", context, dockerfile: dockerfile ?? path.posix.join(context, "Dockerfile") };
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]` -> its parts; undefined for other registries. */
export function ecrRepository(uri: string): { account: string; region: string; repository: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(uri);
  return m ? { account: m[1], region: m[2], repository: m[3] } : undefined;
}

/** The ECR repository ARN an image URI lives in, or undefined for a registry that is not ECR. */
export function ecrRepositoryArn(uri: string): string | undefined {
  const repo = ecrRepository(uri);
  if (!repo) return undefined;
  const partition = /\.amazonaws\.com\.cn\//.test(uri) ? "aws-cn" : "aws";
  return `arn:${partition}:ecr:${repo.region}:${repo.account}:repository/${repo.repository}`;
}

/** The ignore file @pulumi/docker reads: it maps the Dockerfile's base name, inside the context. */
export function dockerignoreFor(context: string, dockerfile: string): string {
  const base = path.basename(dockerfile);
  return path.join(context, base === "Dockerfile" ? ".dockerignore" : `${base}.dockerignore`);
}

interface Pattern {
  exclusion: boolean;
  test: (p: string) => boolean;
}

/** `.dockerignore` lines as moby's ignorefile.ReadAll cleans them. */
export function readIgnorePatterns(text: string): string[] {
  const out: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = i === 0 ? raw.replace(/^\uFEFF/, "") : raw;
    if (line.startsWith("#")) continue;
    let p = line.trim();
    if (p === "") continue;
    const invert = p.startsWith("!");
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = path.posix.normalize(p).replace(/(.)\/+$/, "$1");
      if (p.length > 1 && p.startsWith("/")) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}

const REGEX_SPECIAL = new Set([".", "+", "(", ")", "|", "{", "}", "$", "^"]);

/** moby/patternmatcher's compile: exact, prefix (`dir/**`), suffix (`**\/name`) or regexp. */
function compile(cleaned: string): (p: string) => boolean {
  let re = "^";
  let type: "exact" | "prefix" | "suffix" | "regexp" = "exact";
  const chars = [...cleaned];
  for (let i = 0, k = 0; k < chars.length; i++) {
    const ch = chars[k++];
    if (ch === "*") {
      if (chars[k] === "*") {
        k++;
        if (chars[k] === "/") k++;
        if (k >= chars.length) {
          if (type === "exact") type = "prefix";
          else {
            re += ".*";
            type = "regexp";
          }
        } else {
          re += "(.*/)?";
          type = "regexp";
        }
        if (i === 0) type = "suffix";
      } else {
        re += "[^/]*";
        type = "regexp";
      }
    } else if (ch === "?") {
      re += "[^/]";
      type = "regexp";
    } else if (REGEX_SPECIAL.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === "\\") {
      if (k < chars.length) {
        re += `\\${chars[k++]}`;
        type = "regexp";
      } else re += "\\\\";
    } else if (ch === "[" || ch === "]") {
      re += ch === "[" && chars[k] === "!" ? (k++, "[^") : ch;
      type = "regexp";
    } else {
      re += ch;
    }
  }
  if (type === "exact") return (p) => p === cleaned;
  if (type === "prefix") return (p) => p.startsWith(cleaned.slice(0, -2));
  if (type === "suffix") {
    const suffix = cleaned.slice(2);
    return (p) => p.endsWith(suffix) || (suffix.startsWith("/") && p === suffix.slice(1));
  }
  const regex = new RegExp(`${re}$`);
  return (p) => regex.test(p);
}

/** Whether a context-relative path is ignored: moby's MatchesOrParentMatches, last match wins. */
export function ignoreMatcher(patterns: string[]): { ignored: (rel: string) => boolean; hasExclusions: boolean; mayReinclude: (dir: string) => boolean } {
  const compiled: Pattern[] = patterns.map((p) => {
    const exclusion = p.startsWith("!");
    return { exclusion, test: compile(exclusion ? p.slice(1) : p) };
  });
  const ignored = (rel: string): boolean => {
    const parents = rel.split("/").slice(0, -1);
    let matched = false;
    for (const p of compiled) {
      if (p.exclusion !== matched) continue;
      let match = p.test(rel);
      for (let i = 0; !match && i < parents.length; i++) match = p.test(parents.slice(0, i + 1).join("/"));
      if (match) matched = !p.exclusion;
    }
    return matched;
  };
  // moby's archive walk: an ignored directory is entered only when an exception pattern starts with
  // its path; otherwise nothing in it is sent (wildcard exceptions included), so it is not read.
  const exceptions = patterns.filter((p) => p.startsWith("!")).map((p) => `${p.slice(1)}/`);
  const mayReinclude = (dir: string) => exceptions.some((e) => e.startsWith(`${dir}/`));
  return { ignored, hasExclusions: exceptions.length > 0, mayReinclude };
}

/**
 * Content digests of files, keyed by path, size, times and inode: a file is read once per process
 * however often the program is evaluated in it (tests render the stacks repeatedly).
 */
const MEMO_KEY = Symbol.for("chatbot.images.fileDigests");
const memo: Map<string, { key: string; digest: string }> = ((globalThis as any)[MEMO_KEY] ??= new Map());

function fileDigest(abs: string, st: fs.Stats): string {
  const key = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
  const hit = memo.get(abs);
  if (hit && hit.key === key) return hit.digest;
  const digest = createHash("sha256").update(fs.readFileSync(abs)).digest("hex");
  memo.set(abs, { key, digest });
  return digest;
}

/** Files of a context that `.dockerignore` patterns leave in, as sorted context-relative paths. */
export function filesInContext(root: string, patterns: string[]): string[] {
  return contextFiles(root, ignoreMatcher(patterns));
}

function contextFiles(root: string, { ignored, mayReinclude }: ReturnType<typeof ignoreMatcher>): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (ignored(r) && !mayReinclude(r)) continue;
        walk(path.join(dir, e.name), r);
      } else if ((e.isFile() || e.isSymbolicLink()) && !ignored(r)) {
        out.push(r);
      }
    }
  };
  walk(root, "");
  return out.sort();
}

export interface ContextTagResult {
  /** `src-<32 hex>`: valid as an ECR tag, unique per content. */
  tag: string;
  /** Set when the Dockerfile is missing: the docker provider will refuse the build. */
  missingDockerfile?: string;
}

/**
 * The content tag of a build (see the file comment); build args count too, since the provider
 * rebuilds when they change. Paths resolve against `cwd` (Pulumi runs the program in the project root).
 */
export function contextTag(
  source: { context: string; dockerfile: string },
  platform: string,
  buildArgs: Record<string, string> = {},
  cwd = process.cwd(),
): ContextTagResult {
  const contextDir = path.resolve(cwd, source.context);
  if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
    throw new Error(`images: build context "${source.context}" is not a directory (relative to ${cwd})`);
  }
  const args = Object.keys(buildArgs)
    .sort()
    .map((k) => [k, buildArgs[k]]);
  const hash = createHash("sha256").update(`v1\0${source.context}\0${source.dockerfile}\0${platform}\0${JSON.stringify(args)}\0`);
  let missingDockerfile: string | undefined;
  const dockerfile = path.resolve(cwd, source.dockerfile);
  if (fs.existsSync(dockerfile)) hash.update(`Dockerfile\0${fileDigest(dockerfile, fs.statSync(dockerfile))}\0`);
  else missingDockerfile = source.dockerfile;

  const ignoreFile = path.resolve(cwd, dockerignoreFor(source.context, source.dockerfile));
  const patterns = fs.existsSync(ignoreFile) ? readIgnorePatterns(fs.readFileSync(ignoreFile, "utf8")) : [];
  hash.update(`${JSON.stringify(patterns)}\0`);
  for (const rel of contextFiles(contextDir, ignoreMatcher(patterns))) {
    const abs = path.join(contextDir, rel);
    let entry: string;
    try {
      const st = fs.lstatSync(abs);
      entry = `${st.mode}\0${st.isSymbolicLink() ? `link:${fs.readlinkSync(abs)}` : fileDigest(abs, st)}`;
    } catch (e) {
      // Deleted while the context was read (an editor's temp file): it is not part of the build.
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    hash.update(`${rel}\0${entry}\0`);
  }
  return { tag: `src-${hash.digest("hex").slice(0, 32)}`, missingDockerfile };
}
