/**
 * The chunk fast path, as the stream parser and the tests import it: the matcher
 * (`fast-path-match.ts`, run on every payload) and the template prover (`fast-path-template.ts`,
 * run when a payload of a new shape was parsed generically).
 */
export { chunkOf, intact, matchTemplate } from './fast-path-match.js'
export type { FastRest, FastTemplate } from './fast-path-match.js'
export { makeTemplate } from './fast-path-template.js'
