/**
 * One SigV4-signed AWS API call for the two services whose SDK clients this repository does not
 * install (CloudWatch `PutMetricData`, CloudWatch Logs `GetLogEvents`): AWS's own signer
 * (@smithy/signature-v4, which every @aws-sdk client uses) and the SDK's default credential
 * chain, over fetch. Replace with @aws-sdk/client-cloudwatch(-logs) once they are dependencies.
 * The job image bundles this file (jobs/backup/Dockerfile).
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac, Hash, Hmac } from "crypto";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedCallTarget {
  /** Signing name and endpoint host part: `monitoring` (CloudWatch), `logs`. */
  service: "monitoring" | "logs";
  region: string;
  /** Loopback test servers; otherwise `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, or AWS's endpoint. */
  endpoint?: string;
  credentials?: AwsCredentials;
  signal?: AbortSignal;
}

/** node:crypto behind the interface the signer takes (what @smithy/hash-node does). */
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    throw new Error("not used by the signer");
  }
}

function bytes(v: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof v === "string") return v;
  return ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
}

const ENV_NAMES = { monitoring: "AWS_ENDPOINT_URL_CLOUDWATCH", logs: "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS" } as const;

function endpointOf(t: SignedCallTarget): URL {
  const url = t.endpoint ?? process.env[ENV_NAMES[t.service]] ?? process.env.AWS_ENDPOINT_URL ?? `https://${t.service}.${t.region}.amazonaws.com`;
  return new URL(url);
}

/** Signs and sends `body`; resolves with the response text, or rejects with AWS's error code and message. */
export async function signedCall(t: SignedCallTarget, headers: Record<string, string>, body: string): Promise<string> {
  const url = endpointOf(t);
  const signer = new SignatureV4({ credentials: t.credentials ?? defaultProvider(), region: t.region, service: t.service, sha256: NodeSha256 });
  const request = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || "/",
    headers: { host: url.host, ...headers },
    body,
  });
  const res = await fetch(url, { method: "POST", headers: request.headers, body, signal: t.signal });
  const text = await res.text();
  if (!res.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? safeJson(text)?.__type?.split("#").pop() ?? `HTTP ${res.status}`;
    const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? safeJson(text)?.message ?? text.slice(0, 200);
    throw Object.assign(new Error(`${t.service}: ${code}: ${message}`), { name: code });
  }
  return text;
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** AWS JSON 1.1 (CloudWatch Logs): `X-Amz-Target: <prefix>.<Action>`. */
export async function jsonCall<T>(t: SignedCallTarget, target: string, input: unknown): Promise<T> {
  const text = await signedCall(t, { "content-type": "application/x-amz-json-1.1", "x-amz-target": target }, JSON.stringify(input));
  return (text ? JSON.parse(text) : {}) as T;
}

/** AWS Query (CloudWatch): form-encoded `Action`, `Version` and flattened parameters. */
export async function queryCall(t: SignedCallTarget, action: string, version: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  return signedCall(t, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body);
}
