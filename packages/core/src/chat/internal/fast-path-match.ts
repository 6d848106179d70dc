/**
 * The chunk fast path, matching half (the template prover is in `fast-path-template.ts`): recognises the payloads of a stream that differ from one already parsed only
 * in a few values (the text or arguments fragment, a choice or tool-call index, the `obfuscation`
 * padding), straight from the payload text, so that the accumulator can apply them without
 * `JSON.parse` building the generic object tree.
 *
 * A template is made from a payload the generic path has just parsed and applied. Its text is cut
 * into literal segments around the holes; a later payload matches when it is the same literals with
 * valid tokens of the same kind in the holes. The template is proved, not assumed: the payload is
 * parsed once more with a sentinel in every hole (`~0~`, 876543210 …), and the result must equal the
 * generic chunk everywhere except at the hole paths, which must hold exactly the sentinels. Because
 * a hole then is exactly one value token (a string hole's body between its quotes, an integer
 * hole's digits) and every other token is the same, any payload of the form literal, token,
 * literal … parses to the template chunk with those values replaced. A payload the matcher cannot
 * prove to be of that form (another byte anywhere, an invalid escape, a control character, a
 * leading zero, an index too large) goes to the generic path, which also produces every error.
 *
 * Measured on the bench's 20 MB chat-text stream (62,584 content payloads of ~290 characters, node
 * 20; bench/fast-path/primitives.ts times each primitive used here): `JSON.parse` of every payload
 * 86 ms; `matchTemplate` on every payload ~22 ms (CPU profile), of which 20 ms is decoding the
 * fragment with `JSON.parse` of its quoted body.
 */

/** A template of one payload shape, and the values of the payload matched last. */
export interface FastTemplate {
  /** The delta field the fragment goes to; `arguments`: a tool call's `function.arguments`. */
  field: 'content' | 'reasoning_content' | 'reasoning' | 'arguments'
  /** A non-empty `role` every payload repeats (OpenRouter), set again as `push()` would. */
  role: string | undefined
  /** A tool-call `type` string every payload repeats (Qwen), applied as `push()` would. */
  toolType: string | undefined
  /**
   * Provider fields with `null` or primitive values, which `push()` keeps (counts, and sets when
   * not null) on every chunk, in wire order: at the top, in the choice, in `function`, on the call.
   */
  rest: FastRest | undefined
  /** Literal segments; a hole sits between each two. */
  lits: string[]
  /** Kind of each hole, 2 bits each from the lowest: {@link HOLE_TEXT}, {@link HOLE_PAD}, {@link HOLE_CHOICE}, {@link HOLE_TOOL}. */
  holes: number
  /**
   * The chunk with {@link Hole} markers at the holes: built only when someone listens to events (the
   * `chunk` event is built from it), undefined otherwise.
   */
  skeleton: unknown
  // Values of the payload matched last (valid until the next match).
  /** The decoded text or arguments fragment. */
  text: string
  /** The choice index (from its hole, or the template's when it has none). */
  choice: number
  /** The tool-call index of an `arguments` template. */
  tool: number
  /** The payload matched last, while it is applied: padding values are decoded from it on demand. */
  data: string
  /** Start and end in `data` of each padding hole (indexed by hole); empty when there is none. */
  spans: number[]
}

/** The provider fields of a template, as objects `keepExtras` and `applyMetadata` take. */
export interface FastRest {
  top?: Record<string, unknown>
  choice?: Record<string, unknown>
  fn?: Record<string, unknown>
  call?: Record<string, unknown>
}

export const HOLE_TEXT = 0
export const HOLE_PAD = 1
export const HOLE_CHOICE = 2
export const HOLE_TOOL = 3

/** The spans of templates without a padding hole (a template is kept per stream: no array for nothing). */
export const NONE: never[] = []

export const QUOTE = 34
export const BACKSLASH = 92
const SPACE = 0x20
const DIGIT_0 = 48
const DIGIT_9 = 57
/** Integer holes take at most this many digits: every value is a safe integer. */
const MAX_DIGITS = 9

/** A hole in a template's skeleton. */
export class Hole {
  constructor(readonly slot: number) {}
}

/**
 * Matches `data` against the template; on success its values are in `t.text`, `t.choice`,
 * `t.tool`, `t.spans`. Never throws.
 *
 * Literals are compared as `data.indexOf(lit, pos) === pos` (a mismatch costs one search of the
 * rest of the payload, which then goes to JSON.parse anyway). Measured on the 62,584 chat-text
 * payloads (sliced two-byte strings, as the decoder hands them out) against their 233-character
 * prefix, node 20 (bench/fast-path/primitives.ts): `indexOf` 12.0 ms, `data.slice(pos, end) === lit`
 * 14.1 ms (and an allocation), `startsWith` 56.6 ms (it compares character by character), a
 * `charCodeAt` loop 65.0 ms. A search costs about the same for 21 characters (11.3 ms): the count
 * of literals matters more than their length.
 */
export function matchTemplate(t: FastTemplate, data: string): boolean {
  const lits = t.lits
  const count = lits.length - 1
  const spans = t.spans
  const length = data.length
  let pos = 0
  for (let h = 0; h < count; h++) {
    const lit = lits[h]!
    if (data.indexOf(lit, pos) !== pos) return false
    pos += lit.length
    const kind = (t.holes >>> (2 * h)) & 3
    const start = pos
    if (kind === HOLE_CHOICE || kind === HOLE_TOOL) {
      // A JSON integer: `0` or a digit 1-9 then digits (a leading zero leaves a digit that the next literal rejects).
      let c = data.charCodeAt(pos)
      if (c < DIGIT_0 || c > DIGIT_9) return false
      let value = c - DIGIT_0
      pos++
      if (value !== 0) {
        while ((c = data.charCodeAt(pos)) >= DIGIT_0 && c <= DIGIT_9) {
          if (pos - start >= MAX_DIGITS) return false
          value = value * 10 + (c - DIGIT_0)
          pos++
        }
      }
      if (kind === HOLE_CHOICE) t.choice = value
      else t.tool = value
    } else {
      // A string body: the last hole ends where the last literal must begin (one string search
      // less: 7.7 ms on the 62,584 chat-text payloads; an unescaped quote inside then fails the
      // check below); another ends at the first quote after an even run of backslashes (the opening
      // quote ends the run). The next literal starts with the closing quote.
      let end: number
      if (h === count - 1) {
        end = length - lits[count]!.length
        if (end < pos) return false
      } else {
        end = data.indexOf('"', pos)
        while (end !== -1 && data.charCodeAt(end - 1) === BACKSLASH) {
          let run = 1
          while (data.charCodeAt(end - 1 - run) === BACKSLASH) run++
          if ((run & 1) === 0) break
          end = data.indexOf('"', end + 1)
        }
        if (end === -1) return false
      }
      if (kind === HOLE_TEXT) {
        // JSON.parse of the quoted body checks it exactly as the generic path would (control
        // characters, escapes) and returns a flat copy: a slice would keep the whole network chunk
        // alive in the accumulated text (V8 slices strings of 13+ characters). Measured on the
        // chat-text fragments: 20.5 ms for 62,584, against 14.0 ms for a charCodeAt check plus a
        // slice (which keeps the chunk alive) and 16-18 ms for the check plus a copy.
        try {
          t.text = JSON.parse(data.slice(start - 1, end + 1)) as string
        } catch {
          return false
        }
      } else {
        if (!validPadding(data, start, end)) return false
        spans[2 * h] = start
        spans[2 * h + 1] = end
      }
      pos = end
    }
  }
  const last = lits[count]!
  return pos + last.length === length && data.indexOf(last, pos) === pos
}

/** Whether `data[start, end)` is a valid JSON string body (its value is decoded only when needed). */
function validPadding(data: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = data.charCodeAt(i)
    if (c < SPACE || c === QUOTE) return false
    if (c === BACKSLASH) {
      try {
        JSON.parse(data.slice(start - 1, end + 1))
        return true
      } catch {
        return false
      }
    }
  }
  return true
}

export function holeValue(t: FastTemplate, slot: number): unknown {
  switch ((t.holes >>> (2 * slot)) & 3) {
    case HOLE_TEXT:
      return t.text
    case HOLE_CHOICE:
      return t.choice
    case HOLE_TOOL:
      return t.tool
    default:
      return JSON.parse(t.data.slice(t.spans[2 * slot]! - 1, t.spans[2 * slot + 1]! + 1))
  }
}

/** The chunk `JSON.parse` gives for the payload matched last: a fresh object, for the `chunk` event. */
export function chunkOf(t: FastTemplate): object {
  return build(t.skeleton, t) as object
}

function build(node: unknown, t: FastTemplate): unknown {
  if (typeof node !== 'object' || node === null) return node
  if (node instanceof Hole) return holeValue(t, node.slot)
  if (Array.isArray(node)) {
    const out: unknown[] = []
    for (let i = 0; i < node.length; i++) out.push(build(node[i], t))
    return out
  }
  // Skeletons have no `__proto__` key (see `skeletonOf`), so assigning every key is safe.
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(node)) out[key] = build((node as Record<string, unknown>)[key], t)
  return out
}

/**
 * Whether a chunk handed to a listener still is what the template says (same own keys in the same
 * order, same values, plain prototypes): then applying it is applying the payload; otherwise the
 * accumulator applies the changed object, as `push()` would have.
 */
export function intact(t: FastTemplate, chunk: object): boolean {
  return same(t.skeleton, chunk, t)
}

export function same(node: unknown, value: unknown, t: FastTemplate): boolean {
  // Object.is: a listener that turns -0 into 0 changed the chunk.
  if (typeof node !== 'object' || node === null) return Object.is(node, value)
  if (node instanceof Hole) return value === holeValue(t, node.slot)
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(node)) {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype || value.length !== node.length) return false
    for (let i = 0; i < node.length; i++) if (!same(node[i], value[i], t)) return false
    return Object.keys(value).length === node.length
  }
  if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false
  const keys = Object.keys(node)
  const valueKeys = Object.keys(value)
  if (keys.length !== valueKeys.length) return false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (valueKeys[i] !== key || !same((node as Record<string, unknown>)[key], (value as Record<string, unknown>)[key], t)) return false
  }
  return true
}
