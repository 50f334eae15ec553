import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommandInput,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "stream";
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
}

export function openStore(env: JobEnv): Store {
  const client = new S3Client({
    region: env.region,
    ...(env.credentials ? { credentials: env.credentials } : {}),
    ...(env.s3Endpoint ? { endpoint: env.s3Endpoint, forcePathStyle: true } : {}),
    // S3-compatible servers often reject the SDK's default trailing CRC32 on streamed bodies;
    // integrity is ours anyway (SHA-256 in the manifest, checked by `verify`).
    ...(env.s3Endpoint ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } : {}),
  });
  return { client, bucket: env.bucket, kmsKeyId: env.kmsKeyId };
}

function isNotFound(err: any): boolean {
  return err?.name === "NotFound" || err?.name === "NoSuchKey" || err?.$metadata?.httpStatusCode === 404;
}

export async function exists(store: Store, key: string): Promise<boolean> {
  try {
    await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function objectSize(store: Store, key: string): Promise<number> {
  const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
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
  try {
    await new Upload({ client: store.client, params, partSize: PART_SIZE, queueSize: QUEUE_SIZE }).done();
  } catch (err: any) {
    if (bodyError && bodyError !== err) {
      throw new JobError(`${oneLine(bodyError)}; aborting the partial upload failed too (${err?.name}: ${oneLine(err)})`);
    }
    if (bodyError) throw bodyError;
    if (err?.name === "PreconditionFailed" || err?.$metadata?.httpStatusCode === 412) {
      throw new JobError(`s3://${store.bucket}/${key} was created by someone else meanwhile; not overwritten`);
    }
    throw err;
  }
}

export interface Listed {
  key: string;
  size: number;
}

export async function listAll(store: Store, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function getStream(store: Store, key: string): Promise<Readable> {
  try {
    const res = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
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
