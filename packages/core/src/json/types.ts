// The public types of the partial JSON parser (json/partial-json-parser.ts), as chat/, anthropic/
// and responses/ keep theirs in types.ts.

/** Options of `createPartialJSONParser`. */
export interface PartialJSONParserOptions {
  /**
   * Deepest nesting of arrays and objects accepted; opening one more throws a `DeltafoldError` with
   * code `max_depth`. The parser keeps an explicit stack and never recurses, so any limit (even
   * `Infinity`) is safe for the call stack: the limit guards memory and hostile input.
   * @defaultValue 128
   */
  maxDepth?: number
  /**
   * Most text accepted in total, in UTF-16 code units (the `length` of the strings fed). A `feed()`
   * that would pass it throws a `DeltafoldError` with code `limit_exceeded` and consumes none of its text.
   * @defaultValue 16 MiB (16,777,216)
   */
  maxBytes?: number
}

/** The object returned by `createPartialJSONParser`. */
export interface PartialJSONParser {
  /**
   * Feeds the next piece of the document. Pieces may split it anywhere: inside a string, an
   * escape, a surrogate pair, a number or a literal. Throws a `DeltafoldError` on the first
   * character that makes the document invalid, and the same error on every later call.
   */
  feed(text: string): void
  /**
   * The best-effort value of everything fed so far, `undefined` before the first token. A value
   * read here is a snapshot: the parser never changes it afterwards (later pieces copy the open
   * arrays and objects before changing them, and share everything finished), so it can be kept,
   * queued or compared with a later read. Reading it twice with nothing fed in between gives the
   * same object. See `createPartialJSONParser` for what an unfinished value shows and costs.
   */
  readonly value: unknown
  /**
   * Ends the input and returns the complete value, exactly what `JSON.parse` returns for the whole
   * text. Throws a `DeltafoldError` (`invalid_json`, "unexpected end of input") when the document
   * is incomplete or empty. Calling it again returns the same value (or throws the same error).
   */
  end(): unknown
}
