// A response body that is already JSON, as UTF-8 bytes (a cached read): the HTTP layer sends
// it as it is instead of serialising a value, and checks it against the response schema outside
// production like any other body. Bytes, not a string: a cached board of a few hundred tasks is
// ~200 KB that would otherwise be decoded from Redis and encoded again for the socket on every
// request.

export class JsonText {
  readonly bytes: Buffer;
  /**
   * A validator known without reading the body (a cached read's key and version): Express then
   * skips hashing the body for its own ETag, and a client holding it gets 304.
   */
  readonly etag: string | undefined;
  constructor(bytes: Buffer, etag?: string) {
    this.bytes = bytes;
    this.etag = etag;
  }

  /** The JSON of a value, as `res.json` would send it. */
  static of(value: unknown, etag?: string): JsonText {
    return new JsonText(Buffer.from(JSON.stringify(value), 'utf8'), etag);
  }

  /** The body as a string (for the response check outside production). */
  get text(): string {
    return this.bytes.toString('utf8');
  }
}
