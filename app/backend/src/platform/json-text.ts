// A response body that is already JSON text (a cached read): the HTTP layer sends it as it is
// instead of serialising a value, and checks it against the response schema outside production
// like any other body.

export class JsonText {
  readonly text: string;
  /**
   * A validator known without reading the text (a cached read's key and version): Express then
   * skips hashing the body for its own ETag, and a client holding it gets 304.
   */
  readonly etag: string | undefined;
  constructor(text: string, etag?: string) {
    this.text = text;
    this.etag = etag;
  }

  /** The JSON text of a value, as `res.json` would send it. */
  static of(value: unknown): JsonText {
    return new JsonText(JSON.stringify(value));
  }
}
