// TEMPORARY STUB written by the lead so the accumulator compiles: the partial-JSON engineer replaces
// this whole file with the real incremental parser (same names).
export interface PartialJSONParserOptions { maxDepth?: number; maxBytes?: number }
export interface PartialJSONParser { feed(text: string): void; readonly value: unknown; end(): unknown }
export function createPartialJSONParser(_options: PartialJSONParserOptions = {}): PartialJSONParser {
  let text = ''
  return { feed(t) { text += t }, get value() { return undefined }, end() { return JSON.parse(text) } }
}
