/**
 * The account the preflight tests run against: moto's real server on loopback, made "free" (the
 * secrets-provider aliases and an issued certificate exist), and the staging and preview stacks
 * rendered once per config. Tests add their obstacles with their own clients and remove them again.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { RenderedStack } from "../../tools/plan/render";
import { preflight, Report } from "../../tools/preflight/preflight";
import { line } from "../../tools/preflight/problem";
import { Moto, startMoto } from "../support/moto";
import { planFor } from "../support/plan";

export const ROOT = path.resolve(__dirname, "../..");
export const REGION = "eu-central-1";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));

let moto: Moto;
/** Filled in by useFreeAccount's beforeAll. */
export const account = {} as { env: NodeJS.ProcessEnv; staging: RenderedStack; stagingFile: string };
const opened: { destroy(): void }[] = [];
/** A client of the test's own, to set up and remove obstacles (the preflight only reads). */
export function aws<T extends { destroy(): void }>(Client: new (cfg: object) => T, extra: object = {}): T {
  const client = new Client({ region: REGION, endpoint: moto.endpoint, forcePathStyle: true, ...extra });
  opened.push(client);
  return client;
}

/** A directory with executables named like the tools, so the tool check sees them whatever this machine has. */
export function toolsDir(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(tmp, "bin-"));
  for (const n of names) fs.writeFileSync(path.join(dir, n), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  return dir;
}

export function stackFileWith(template: string, overrides: Record<string, unknown>): string {
  const yaml = YAML.parse(fs.readFileSync(path.join(ROOT, template), "utf8"));
  for (const [k, v] of Object.entries(overrides)) yaml.config[`chatbot:${k}`] = v;
  const file = path.join(fs.mkdtempSync(path.join(tmp, "cfg-")), template);
  fs.writeFileSync(file, YAML.stringify(yaml));
  return file;
}

export async function issuedCertificate(domain: string): Promise<string> {
  const key = path.join(tmp, "key.pem");
  const cert = path.join(tmp, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "30",
      "-subj",
      `/CN=${domain}`,
      "-addext",
      `subjectAltName=DNS:${domain}`,
    ],
    { stdio: "ignore" },
  );
  const res = await aws(ACMClient).send(new ImportCertificateCommand({ Certificate: fs.readFileSync(cert), PrivateKey: fs.readFileSync(key) }));
  return res.CertificateArn!;
}

export async function secretsProviderAlias(alias: string, stack: string): Promise<void> {
  const kms = aws(KMSClient);
  const key = await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: "stack", TagValue: stack }] }));
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId }));
}

/** Starts moto before the file's tests, makes the account free and renders the stacks; stops it after. */
export function useFreeAccount(): void {
  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    account.env = { AWS_ENDPOINT_URL: moto.endpoint, PATH: toolsDir(["aws", "docker"]) };
    await secretsProviderAlias("alias/chatbot-staging-pulumi-secrets", "staging");
    await secretsProviderAlias("alias/chatbot-preview-pulumi-secrets", "preview");
    // What the bootstrap stack requests for staging's domainName (the offline plan's ARN is a mock).
    await issuedCertificate("staging.chatbot.example.com");
    // And the previews' wildcard (a preview that builds its own load balancer uses it too).
    await issuedCertificate("*.staging.chatbot.example.com");
    account.stagingFile = path.join(ROOT, "Pulumi.staging.yaml");
    account.staging = await planFor("staging");
  });
  afterAll(() => {
    for (const c of opened) c.destroy();
    moto?.stop();
  });
}

export const check = (stack = "staging", opts: { rendered?: RenderedStack; env?: NodeJS.ProcessEnv } = {}): Promise<Report> =>
  preflight({ stack, rendered: opts.rendered ?? account.staging, env: opts.env ?? account.env });
export const lines = (r: Report) => r.problems.map(line);
