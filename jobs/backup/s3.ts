import { AbortMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "stream";
import type { Bounds } from "./bounds";
import { JobEnv } from "./env";
import { JobError, oneLine } from "./errors";

// 16 MiB parts x 4 in flight bounds memory to ~64 MiB whatever the dump size; S3's 10,000-part
// limit then caps one object at ~156 GiB, far above what this platform's database will reach.
const PART_SIZE = 16 * 1024 * 1024;
const QUEUE_SIZE = 4;

export interface Store {
  client: S3Client;
  bucket: string;
  kmsKeyId?: string;
  /** The run's abort signal: the deadline or SIGTERM cancels every request in flight. */
  signal?: AbortSignal;
  /** What a timeout message names: the endpoint and the bounds in force. */
  endpoint: string;
  bounds: Pick<Bounds, "s3TimeoutSeconds" | "s3Attempts">;
}

export function openStore(
  env: JobEnv,
  bounds: Pick<Bounds, "s3TimeoutSeconds" | "s3Attempts"> = { s3TimeoutSeconds: 60, s3Attempts: 4 },
  signal?: AbortSignal,
): Store {
  const idleMs = bounds.s3TimeoutSeconds * 1000;
  const client = new S3Client({
    region: env.region,
    // Without these the SDK waits forever on a server that accepted the connection and went
    // silent. An idle bound, not a total one: a 16 MiB part or a 3 GB download may take long.
    requestHandler: { connectionTimeout: Math.min(idleMs, 10_000), socketTimeout: idleMs },
    maxAttempts: bounds.s3Attempts,
    retryMode: "standard",
    ...(env.credentials ? { credentials: env.credentials } : {}),
    ...(env.s3Endpoint ? { endpoint: env.s3Endpoint, forcePathStyle: true } : {}),
    // S3-compatible servers often reject the SDK's default trailing CRC32 on streamed bodies;
    // integrity is ours anyway (SHA-256 in the manifest, checked by `verify`).
    ...(env.s3Endpoint ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } : {}),
  });
  const endpoint = env.s3Endpoint ?? `s3.${env.region}.amazonaws.com`;
  return { client, bucket: env.bucket, kmsKeyId: env.kmsKeyId, signal, endpoint, bounds };
}

/** Turns "The operation was aborted" / ECONNREFUSED / socket timeouts into a line naming what hung. */
export function s3Failure(store: Store, what: string, err: any): unknown {
  if (err instanceof JobError) return err;
  const code = err?.code ?? err?.cause?.code ?? "";
  const timedOut = err?.name === "TimeoutError" || /timed? ?out|ETIMEDOUT|socket hang up|ECONNRESET/i.test(`${err?.message} ${code}`);
  const tries = `${store.bounds.s3Attempts} attempt(s)`;
  if (timedOut) {
    return new JobError(`S3 at ${store.endpoint} did not answer ${what} within ${store.bounds.s3TimeoutSeconds}s (S3_TIMEOUT_SECONDS), ${tries}`);
  }
  const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.exec(`${code} ${err?.message}`);
  if (refused) return new JobError(`S3 at ${store.endpoint} is unreachable (${refused[0]}) ${what}, ${tries}`);
  return err;
}

/** Every request goes through here: the run's abort signal, and failures that say what was asked. */
export async function send<T>(store: Store, command: { input: unknown } & any, what: string): Promise<T> {
  try {
    return (await store.client.send(command, { abortSignal: store.signal })) as T;
  } catch (err) {
    if (store.signal?.aborted) throw store.signal.reason;
    throw s3Failure(store, what, err);
  }
}

function isNotFound(err: any): boolean {
  return err?.name === "NotFound" || err?.name === "NoSuchKey" || err?.$metadata?.httpStatusCode === 404;
}

export async function exists(store: Store, key: string): Promise<boolean> {
  try {
    await send(store, new HeadObjectCommand({ Bucket: store.bucket, Key: key }), `checking ${key}`);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function objectSize(store: Store, key: string): Promise<number> {
  const head = await send<{ ContentLength?: number }>(store, new HeadObjectCommand({ Bucket: store.bucket, Key: key }), `checking ${key}`);
  return head.ContentLength ?? -1;
}

/**
 * Streams `body` to a new object. Never replaces one: the key is checked first, and the write
 * itself is conditional (`If-None-Match: *`) so a concurrent writer cannot slip in between.
 * A body stream error aborts the multipart upload, leaving no object.
 */
export async function putNew(store: Store, key: string, body: Readable | string, contentType: string): Promise<void> {
  if (await exists(store, key)) {
    throw new JobError(`s3://${store.bucket}/${key} already exists; a backup is never overwritten`);
  }
  const params: PutObjectCommandInput = {
    Bucket: store.bucket,
    Key: key,
    Body: body,
    ContentType: contentType,
    IfNoneMatch: "*",
    ...(store.kmsKeyId ? { ServerSideEncryption: "aws:kms", SSEKMSKeyId: store.kmsKeyId } : {}),
  };
  // lib-storage rethrows the abort's error when aborting a failed multipart upload fails too,
  // which would hide the real cause (pg_dump's message); keep the body's own error to report it.
  let bodyError: unknown;
  if (typeof body !== "string") body.once("error", (e) => (bodyError = e));
  const upload = new Upload({ client: store.client, params, partSize: PART_SIZE, queueSize: QUEUE_SIZE });
  const onAbort = () => void upload.abort();
  store.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await upload.done();
  } catch (err: any) {
    if (store.signal?.aborted) {
      // lib-storage rejects at once but aborts the multipart upload only once its body ends;
      // a hung pg_dump may never end it, so abort it here: no parts are left behind to bill.
      await abortMultipart(store, upload, key);
      throw store.signal.reason;
    }
    if (bodyError && bodyError !== err) {
      throw new JobError(`${oneLine(bodyError)}; aborting the partial upload failed too (${err?.name}: ${oneLine(err)})`);
    }
    if (bodyError) throw bodyError;
    if (err?.name === "PreconditionFailed" || err?.$metadata?.httpStatusCode === 412) {
      throw new JobError(`s3://${store.bucket}/${key} was created by someone else meanwhile; not overwritten`);
    }
    throw s3Failure(store, `uploading ${key}`, err);
  } finally {
    store.signal?.removeEventListener("abort", onAbort);
  }
}

async function abortMultipart(store: Store, upload: Upload, key: string): Promise<void> {
  const u = upload as unknown as { createMultiPartPromise?: Promise<unknown>; uploadId?: string };
  await u.createMultiPartPromise?.catch(() => undefined);
  if (!u.uploadId) return;
  // Not the run's signal (it has fired); the client's own timeouts bound this request.
  await store.client.send(new AbortMultipartUploadCommand({ Bucket: store.bucket, Key: key, UploadId: u.uploadId })).catch(() => undefined);
}

export interface Listed {
  key: string;
  size: number;
}

export async function listAll(store: Store, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await send<{ Contents?: { Key?: string; Size?: number }[]; IsTruncated?: boolean; NextContinuationToken?: string }>(
      store,
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }),
      `listing s3://${store.bucket}/${prefix}`,
    );
    for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function getStream(store: Store, key: string): Promise<Readable> {
  try {
    const res = await send<{ Body?: unknown }>(store, new GetObjectCommand({ Bucket: store.bucket, Key: key }), `downloading ${key}`);
    return res.Body as Readable;
  } catch (err) {
    if (isNotFound(err)) throw new JobError(`${key}: object is missing`);
    throw err;
  }
}

export async function getText(store: Store, key: string): Promise<string> {
  const body = await getStream(store, key);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}
