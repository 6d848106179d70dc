import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { createPartialJSONParser, isDeltafoldError } from '@deltafold/core'
import { splitAt, splitEvery } from './helpers.js'

// Fixed seed so CI runs the same cases every time; change it locally to explore.
const SEED = 42

/**
 * Whether `partial` (a `value` read before the end) is compatible with the final value: undefined
 * (nothing shown yet); a string that `final` starts with; an equal number, boolean or null; an
 * array whose elements equal the final ones except the last, which may be in progress; a plain
 * object whose keys are a subset of the final ones, each holding a compatible value.
 */
function isPrefixOf(partial: unknown, final: unknown): boolean {
  if (partial === undefined) return true
  if (typeof partial === 'string') return typeof final === 'string' && final.startsWith(partial)
  if (partial === null || typeof partial !== 'object') return Object.is(partial, final)
  if (Array.isArray(partial)) {
    if (!Array.isArray(final) || partial.length > final.length) return false
    for (let i = 0; i < partial.length; i++) {
      const element: unknown = partial[i]
      if (element === undefined) return false
      if (i < partial.length - 1 ? !isDeepStrictEqual(element, final[i]) : !isPrefixOf(element, final[i])) return false
    }
    return true
  }
  if (typeof final !== 'object' || final === null || Array.isArray(final)) return false
  if (Object.getPrototypeOf(partial) !== Object.prototype) return false
  for (const key of Object.keys(partial)) {
    const member = (partial as Record<string, unknown>)[key]
    if (member === undefined || !Object.hasOwn(final, key)) return false
    if (!isPrefixOf(member, (final as Record<string, unknown>)[key])) return false
  }
  return true
}

test('isPrefixOf accepts partial values and refuses incompatible ones', () => {
  const final = { a: 'hello', b: [1, [2, 3], 'xy'], c: { d: null } }
  for (const partial of [undefined, {}, { a: '' }, { a: 'he', b: [] }, { b: [1, [2]] }, { b: [1, [2, 3], 'x'] }, { c: {} }, final]) {
    expect(isPrefixOf(partial, final)).toBe(true)
  }
  for (const partial of [{ a: 'hx' }, { z: 1 }, { b: [1, [2], 'x'] }, { b: [2] }, { c: { d: false } }, [], 'hello']) {
    expect(isPrefixOf(partial, final)).toBe(false)
  }
})

/** Feeds the pieces, checking after each that `value` is a prefix of `expected`; returns `end()`. */
function feedChecked(pieces: readonly string[], expected: unknown): unknown {
  const parser = createPartialJSONParser()
  for (const piece of pieces) {
    parser.feed(piece)
    const partial = parser.value
    if (!isPrefixOf(partial, expected)) {
      throw new Error(`value ${JSON.stringify(partial)} after ${JSON.stringify(piece)} is not a prefix of ${JSON.stringify(expected)}`)
    }
  }
  return parser.end()
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; offset: number | undefined; message: string }

function ours(pieces: readonly string[]): Outcome {
  try {
    const parser = createPartialJSONParser()
    for (const piece of pieces) parser.feed(piece)
    return { ok: true, value: parser.end() }
  } catch (error) {
    if (!isDeltafoldError(error)) throw error
    // The quoted character may be a whole pair fed whole but half of one when split: compare the rest.
    return { ok: false, code: error.code, offset: error.byteOffset, message: error.message.replace(/, got .*$/s, '') }
  }
}

/** Parses with JSON.parse and with the parser (whole and one code unit at a time), and checks they agree. */
function expectSameAsJSONParse(text: string): void {
  let expected: { ok: true; value: unknown } | { ok: false }
  try {
    expected = { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    expected = { ok: false }
  }
  const whole = ours(text === '' ? [] : [text])
  const split = ours(text === '' ? [] : splitEvery(text, 1))
  expect(split).toStrictEqual(whole)
  if (expected.ok) expect(whole).toStrictEqual(expected)
  else expect(whole.ok).toBe(false)
}

const WHITESPACE = ['', '', '', ' ', '\n', '\t', '\r\n', '  \r']
const SHORT_ESCAPES = new Map<number, string>([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x2f, '\\/'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
])

/**
 * Serializes a JSON value with whitespace between tokens and each string code unit written raw,
 * as a short escape or as `\u` with either hex case, all picked by cycling through `choices`.
 * Surrogate pairs may come out half raw, half escaped.
 */
function encode(value: unknown, choices: readonly number[]): string {
  let cursor = 0
  const next = (): number => choices[cursor++ % choices.length]!
  const space = (): string => WHITESPACE[next() % WHITESPACE.length]!
  function string(text: string): string {
    let out = '"'
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      const pick = next() % 4
      if (c !== 0x22 && c !== 0x5c && c >= 0x20 && pick !== 0) out += text.charAt(i)
      else if (SHORT_ESCAPES.has(c) && pick !== 3) out += SHORT_ESCAPES.get(c)
      else {
        const hex = c.toString(16).padStart(4, '0')
        out += '\\u' + (next() % 2 === 0 ? hex : hex.toUpperCase())
      }
    }
    return out + '"'
  }
  function any(v: unknown): string {
    if (typeof v === 'string') return string(v)
    if (Array.isArray(v)) return '[' + space() + v.map((element) => any(element) + space()).join(',' + space()) + ']'
    if (typeof v === 'object' && v !== null) {
      const members = Object.keys(v).map(
        (key) => string(key) + space() + ':' + space() + any((v as Record<string, unknown>)[key]) + space(),
      )
      return '{' + space() + members.join(',' + space()) + '}'
    }
    return JSON.stringify(v)
  }
  return space() + any(value) + space()
}

// String code units: any code point, the characters that need escaping, and lone surrogates.
const stringUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\ufeff', '\u{1f600}') },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
)

const encodedDocument = fc
  .record({
    value: fc.jsonValue({ stringUnit, maxDepth: 4 }),
    choices: fc.array(fc.nat({ max: 1 << 16 }), { minLength: 1, maxLength: 64 }),
  })
  .map(({ value, choices }) => encode(value, choices))

/** Pieces of `text`: cut at random offsets, or in random runs of 1 to 12 code units. */
function piecesOf(text: string): fc.Arbitrary<string[]> {
  return fc.oneof(
    fc.array(fc.nat(), { maxLength: 24 }).map((cuts) =>
      splitAt(
        text,
        cuts.map((cut) => cut % (text.length + 1)),
      ),
    ),
    fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 16 }).map((sizes) => {
      const cuts: number[] = []
      for (let at = 0, i = 0; at < text.length; i++) cuts.push((at += sizes[i % sizes.length]!))
      return splitAt(text, cuts)
    }),
  )
}

test('returns what JSON.parse returns for fc.json() documents split anywhere, each value a prefix of the final one', () => {
  const split = fc.json({ maxDepth: 4 }).chain((text) => fc.tuple(fc.constant(text), piecesOf(text)))
  fc.assert(
    fc.property(split, ([text, pieces]) => {
      const expected = JSON.parse(text) as unknown
      expect(feedChecked(pieces, expected)).toStrictEqual(expected)
    }),
    { seed: SEED, numRuns: 300 },
  )
})

test('returns what JSON.parse returns for documents with random whitespace, escapes and surrogates, split anywhere', () => {
  const split = encodedDocument.chain((text) => fc.tuple(fc.constant(text), piecesOf(text)))
  fc.assert(
    fc.property(split, ([text, pieces]) => {
      const expected = JSON.parse(text) as unknown
      expect(feedChecked(pieces, expected)).toStrictEqual(expected)
    }),
    { seed: SEED, numRuns: 300 },
  )
})

test('returns what JSON.parse returns for short documents fed one code unit at a time, each value a prefix', () => {
  const short = encodedDocument.filter((text) => text.length <= 400)
  fc.assert(
    fc.property(short, (text) => {
      const expected = JSON.parse(text) as unknown
      expect(feedChecked(splitEvery(text, 1), expected)).toStrictEqual(expected)
    }),
    { seed: SEED, numRuns: 300 },
  )
})

test('keeps strings exact when split inside escapes and surrogate pairs', () => {
  const strings = fc
    .record({
      text: fc.string({ unit: stringUnit, maxLength: 24 }),
      choices: fc.array(fc.nat({ max: 1 << 16 }), { minLength: 1, maxLength: 32 }),
    })
    .map(({ text, choices }) => encode([text, { [text]: text }], choices))
  fc.assert(
    fc.property(strings, (text) => {
      const expected = JSON.parse(text) as unknown
      for (let at = 1; at < text.length; at++) {
        expect(feedChecked([text.slice(0, at), text.slice(at)], expected)).toStrictEqual(expected)
      }
    }),
    { seed: SEED, numRuns: 200 },
  )
})

test('converts number texts exactly like JSON.parse, whole or split', () => {
  const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 25 })
  const number = fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.oneof(
        fc.constant('0'),
        fc
          .tuple(fc.constantFrom(...'123456789'), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 25 }))
          .map(([a, b]) => a + b),
      ),
      fc.option(
        digits.map((d) => '.' + d),
        { nil: '' },
      ),
      fc.option(
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits).map((parts) => parts.join('')),
        { nil: '' },
      ),
    )
    .map((parts) => parts.join(''))
  fc.assert(
    fc.property(number, (text) => {
      const expected = JSON.parse(text) as unknown
      for (const pieces of [[text], splitEvery(text, 1)]) {
        const result = ours(pieces)
        expect(result.ok && Object.is(result.value, expected)).toBe(true)
      }
      const inArray = ours([`[${text.slice(0, 3)}`, `${text.slice(3)}]`])
      expect(inArray.ok && Object.is((inArray.value as unknown[])[0], expected)).toBe(true)
    }),
    { seed: SEED, numRuns: 500 },
  )
})

test('accepts and rejects token soup exactly as JSON.parse does, with the same error however it is split', () => {
  const token = fc.constantFrom(
    ...['{', '}', '[', ']', ':', ',', '"', '\\', ' ', '\n', '\t', '\r', '\f', '\u00a0', '0', '1', '9', '-', '+', '.', 'e', 'E'],
    ...['true', 'false', 'null', 'tru', 'u', 'a', '"a"', '\\u00', '\\uD83D', '\ud800', '\u{1f600}', 'x', "'", '/', '\u0001'],
  )
  // Few structural tokens in short strings, so that near-misses like `[1,]` and `{"a":1,}` come up often.
  const structural = fc.constantFrom('[', ']', '{', '}', ',', ':', '1', '"a"', ' ')
  const soup = fc.oneof(fc.string({ unit: token, maxLength: 30 }), fc.string({ unit: structural, maxLength: 10 }))
  fc.assert(
    fc.property(soup, (text) => expectSameAsJSONParse(text)),
    { seed: SEED, numRuns: 5000 },
  )
})

test('accepts and rejects edited documents exactly as JSON.parse does', () => {
  // Token edits on small compact documents make near-misses likely: deleting the `2` of `[1,2]`
  // gives `[1,]`, deleting `"b":2` from `{"a":1,"b":2}` gives `{"a":1,}`, inserting `0` before `1`
  // gives `01`.
  const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[[\]{},:]/g
  const tokenEdit = fc.record({
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 3 }),
    kind: fc.constantFrom('delete', 'duplicate', 'insert', 'replace'),
    token: fc.constantFrom(',', ':', '[', ']', '{', '}', '0', '-', '.5', '"a"', 'tru', ' '),
  })
  const member = fc.jsonValue({ maxDepth: 1 })
  const small = fc
    .oneof(
      fc.dictionary(fc.string({ maxLength: 3 }), member, { maxKeys: 4 }),
      fc.array(member, { maxLength: 4 }),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((value) => JSON.stringify(value))
    .filter((text) => text.length <= 60)
  const tokenEdited = fc.tuple(small, tokenEdit).map(([text, { at, count, kind, token }]) => {
    const tokens = text.match(TOKEN) ?? []
    const i = at % (tokens.length + 1)
    if (kind === 'delete') tokens.splice(i, count)
    else if (kind === 'duplicate') tokens.splice(i, 0, tokens[i] ?? token)
    else if (kind === 'insert') tokens.splice(i, 0, token)
    else tokens.splice(i, 1, token)
    return tokens.join('')
  })
  // Character edits (also inside strings and escapes) on encoded documents reach the token states.
  const charEdit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('delete', 'insert', 'replace', 'truncate'),
    character: fc.constantFrom(...',:[]{}"\\ 0-.e}tux\u0000\t\n\u001f\u007f'),
  })
  const charEdited = fc.tuple(encodedDocument, fc.array(charEdit, { minLength: 1, maxLength: 3 })).map(([text, edits]) => {
    for (const { at, kind, character } of edits) {
      const i = at % (text.length + 1)
      if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1)
      else if (kind === 'insert') text = text.slice(0, i) + character + text.slice(i)
      else if (kind === 'replace') text = text.slice(0, i) + character + text.slice(i + 1)
      else text = text.slice(0, i)
    }
    return text
  })
  fc.assert(
    fc.property(fc.oneof(tokenEdited, charEdited), (text) => expectSameAsJSONParse(text)),
    { seed: SEED, numRuns: 4000 },
  )
})
