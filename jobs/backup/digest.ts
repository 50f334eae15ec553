import { createHash } from "crypto";
import { Transform, TransformCallback } from "stream";

/**
 * A pass-through that counts bytes and hashes them on the way, so an object's size and SHA-256
 * are known the moment its upload (or download) ends, without reading it twice.
 * `beforeEnd` runs before the stream may end: a producer that failed (pg_dump's exit code)
 * turns into a stream error there, so the upload aborts instead of completing a truncated object.
 */
export class DigestStream extends Transform {
  // Not `size`: lib-storage reads `Body.size` as the total length (Blob-style) and would plan 0 parts.
  bytes = 0;
  private readonly hash = createHash("sha256");
  private hex?: string;

  constructor(private readonly beforeEnd?: () => Promise<void>) {
    super();
  }

  get sha256(): string {
    if (!this.hex) throw new Error("digest read before the stream ended");
    return this.hex;
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    cb(null, chunk);
  }

  _flush(cb: TransformCallback): void {
    const check = this.beforeEnd ? this.beforeEnd() : Promise.resolve();
    check.then(
      () => {
        this.hex = this.hash.digest("hex");
        cb();
      },
      (err) => cb(err),
    );
  }
}
