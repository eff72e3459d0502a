// A response body that is already JSON text (a cached read): the HTTP layer sends it as it is
// instead of serialising a value, and checks it against the response schema outside production
// like any other body.

export class JsonText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  /** The JSON text of a value, as `res.json` would send it. */
  static of(value: unknown): JsonText {
    return new JsonText(JSON.stringify(value));
  }
}
