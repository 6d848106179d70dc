import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, type ServerSentEvent, type SSEDecoderOptions } from '@deltafold/core'
import { bytes, decodeChunks, splitAt, splitEvery, type DecodeResult } from './helpers.js'

// Fixed seed: a failure reproduces on every machine and in CI. Change it locally to explore.
const SEED = 0x5e_de_c0
const runs = (numRuns: number) => ({ seed: SEED, numRuns })

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** One code point of a field value: never CR or LF, never a lone surrogate. */
const valueChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'x', ' ', ':', '0', '7', '{', '"') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('\u2028', '\u2029', '\u0085', '\0', '\uFEFF', '\t', '\u000b', 'é', '€', '😀', '𝄞', '\uFFFD'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
)
const value = fc.string({ unit: valueChar, maxLength: 10 })

const fieldName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('data', 'data', 'data', 'event', 'id', 'retry') },
  { weight: 2, arbitrary: fc.constantFrom('Data', 'foo', ' data', 'data\0', '\uFEFFdata', 'dat', 'datas', 'ID') },
  { weight: 1, arbitrary: fc.string({ unit: valueChar, maxLength: 4 }).filter((name) => !name.includes(':')) },
)
const separator = fc.constantFrom('', ':', ':', ': ', ': ', ':  ')

/** One line of an SSE stream, without its line end; `blank` weighs blank lines against 16 others. */
const line = (blank: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom('data:', 'data: '), value).map(([field, val]) => field + val) },
    { weight: 6, arbitrary: fc.tuple(fieldName, separator, value).map(([name, sep, val]) => name + sep + val) },
    { weight: 2, arbitrary: fc.tuple(separator, fc.stringMatching(/^[0-9]{1,6}$/)).map(([sep, ms]) => `retry${sep}${ms}`) },
    { weight: 2, arbitrary: value.map((text) => `:${text}`) },
    { weight: blank, arbitrary: fc.constant('') },
  )
const lineEnd = fc.constantFrom('\n', '\r', '\r\n')

/** A whole SSE stream as text: optional BOM, lines with random endings, maybe an unterminated last line. */
const sseTextWith = (blank: number, maxLines: number) =>
  fc
    .record({
      bom: fc.boolean(),
      lines: fc.array(fc.tuple(line(blank), lineEnd), { maxLength: maxLines, size: 'max' }),
      tail: fc.option(line(blank), { nil: undefined }),
    })
    .map(({ bom, lines, tail }) => (bom ? '\uFEFF' : '') + lines.map(([l, end]) => l + end).join('') + (tail ?? ''))
const sseText = sseTextWith(5, 24)
/** Few blank lines: long events with many data lines. */
const longEvents = sseTextWith(1, 100)

/** Both EOF behaviours; a small `maxEventBytes` one time in four, so limit errors happen mid-stream. */
const decoderOptions: fc.Arbitrary<SSEDecoderOptions> = fc
  .record({
    dispatchUnterminated: fc.boolean(),
    maxEventBytes: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 48 }) }),
  })
  .map(({ dispatchUnterminated, maxEventBytes }) =>
    maxEventBytes === undefined ? { dispatchUnterminated } : { dispatchUnterminated, maxEventBytes },
  )

/** Pieces of a raw line: valid and broken UTF-8, a few ASCII bytes, random bytes (CR and LF included). */
const rawPiece = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        [0xef, 0xbb, 0xbf],
        [0xe2, 0x82, 0xac],
        [0xe2, 0x82],
        [0xf0, 0x9f, 0x98, 0x80],
        [0xf0, 0x9f],
        [0xff],
        [0x80],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xc2, 0x85],
        [0xe2, 0x80, 0xa8],
      )
      .map((raw) => Uint8Array.from(raw)),
  },
  { weight: 2, arbitrary: fc.constantFrom('x', ':', ' ', '9', '\0').map((text) => bytes(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3 }) },
)
const rawLine = fc
  .tuple(
    fc.constantFrom('data:', 'data: ', 'data: ', 'id: ', 'event:', 'retry: ', ':', '', 'Data:'),
    fc.array(rawPiece, { maxLength: 5 }),
    fc.constantFrom('\n', '\r', '\r\n'),
  )
  .map(([field, pieces, end]) => bytes(field, ...pieces.map((piece) => [...piece]), end))

/** Raw bytes shaped like SSE, with broken UTF-8 and random bytes; maybe a whole or cut BOM first. */
const sseishBytes = fc
  .tuple(
    fc.constantFrom([], [], [0xef, 0xbb, 0xbf], [0xef, 0xbb]),
    fc.array(fc.oneof({ weight: 3, arbitrary: rawLine }, { weight: 1, arbitrary: lineEnd.map((end) => bytes(end)) }), {
      maxLength: 30,
      size: 'max',
    }),
    fc.array(rawPiece, { maxLength: 3 }),
  )
  .map(([bom, lines, tail]) => bytes(bom, ...lines.map((l) => [...l]), ...tail.map((piece) => [...piece])))

const cuts = fc.array(fc.nat(), { maxLength: 12 })

// ---------------------------------------------------------------------------------------------
// Reference: whole input, one line at a time, the WHATWG steps as written
// ---------------------------------------------------------------------------------------------

interface Outcome {
  events: ServerSentEvent[]
  comments: string[]
  retries: number[]
  positions: number[]
  error?: { code: string; eventNumber: number | undefined; byteOffset: number | undefined }
}

/**
 * Decodes a whole input the obvious way. Line ends are found on the raw units first (CR and LF
 * bytes are never part of a UTF-8 sequence, and the decoder never makes them), then each line is
 * decoded on its own. Offsets are bytes for bytes and UTF-16 code units for strings.
 */
function reference(input: string | Uint8Array, options: SSEDecoderOptions = {}): Outcome {
  const max = options.maxEventBytes ?? 16 * 1024 * 1024
  const unit = (i: number) => (typeof input === 'string' ? input.charCodeAt(i) : input[i])
  const decodeRange = (start: number, end: number) =>
    typeof input === 'string' ? input.slice(start, end) : new TextDecoder('utf-8', { ignoreBOM: true }).decode(input.subarray(start, end))

  const lines: Array<{ start: number; text: string; terminated: boolean }> = []
  let start = 0
  for (let i = 0; i < input.length; i++) {
    const c = unit(i)
    if (c !== 10 && c !== 13) continue
    lines.push({ start, text: decodeRange(start, i), terminated: true })
    if (c === 13 && unit(i + 1) === 10) i++
    start = i + 1
  }
  if (start < input.length) lines.push({ start, text: decodeRange(start, input.length), terminated: false })
  const first = lines[0]
  if (first && first.text.startsWith('\uFEFF')) {
    first.text = first.text.slice(1)
    first.start += typeof input === 'string' ? 1 : 3
  }

  const out: Outcome = { events: [], comments: [], retries: [], positions: [] }
  // The spec's buffers: `data` keeps a LF after every data line.
  let data = ''
  let type = ''
  let idBuffer = ''
  let lastEventId = ''
  const dispatch = (at: number) => {
    lastEventId = idBuffer
    if (data === '') {
      type = ''
      return
    }
    out.events.push({ type: type === '' ? 'message' : type, data: data.slice(0, -1), lastEventId })
    out.positions.push(at)
    data = ''
    type = ''
  }
  const tooLarge = (size: number) => size > max
  for (const { start: at, text, terminated } of lines) {
    const buffered = data === '' ? 0 : data.length - 1
    if (tooLarge(text.length + buffered)) {
      out.error = { code: 'event_too_large', eventNumber: out.events.length + 1, byteOffset: at }
      return out
    }
    if (!terminated && !options.dispatchUnterminated) break
    if (text === '') {
      dispatch(at)
      continue
    }
    if (text.startsWith(':')) {
      out.comments.push(text.startsWith(': ') ? text.slice(2) : text.slice(1))
      continue
    }
    const colon = text.indexOf(':')
    const name = colon === -1 ? text : text.slice(0, colon)
    let val = colon === -1 ? '' : text.slice(colon + 1)
    if (val.startsWith(' ')) val = val.slice(1)
    if (name === 'data') {
      data += val + '\n'
      if (tooLarge(data.length - 1)) {
        out.error = { code: 'event_too_large', eventNumber: out.events.length + 1, byteOffset: at }
        return out
      }
    } else if (name === 'event') type = val
    else if (name === 'id') {
      if (!val.includes('\0')) idBuffer = val
    } else if (name === 'retry') {
      if (/^[0-9]+$/.test(val)) out.retries.push(Number.parseInt(val, 10))
    }
  }
  if (options.dispatchUnterminated && data !== '') dispatch(input.length)
  return out
}

/** The decoder's result in the reference's shape; `units: false` drops offsets (mixed input). */
function outcome(result: DecodeResult, units = true): Outcome {
  const out: Outcome = {
    events: result.events,
    comments: result.comments,
    retries: result.retries,
    positions: units ? result.positions : [],
  }
  if (result.error !== undefined) {
    if (!(result.error instanceof DeltafoldError)) throw result.error
    const { code, eventNumber, byteOffset } = result.error
    out.error = { code, eventNumber, byteOffset: units ? byteOffset : undefined }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Splits
// ---------------------------------------------------------------------------------------------

type Units = 'bytes' | 'utf16' | 'mixed'
type Split = (text: string, raw: Uint8Array, cuts: number[], asBytes: boolean[]) => Array<string | Uint8Array>

const mod = (positions: number[], length: number) => positions.map((p) => p % (length + 1))

/** Cuts on code point boundaries; each piece stays text or becomes bytes, themselves cut once inside. */
const mixed: Split = (text, _raw, positions, asBytes) => {
  const atCodePoints = mod(positions, text.length).map((p) =>
    p > 0 && p < text.length && (text.charCodeAt(p - 1) & 0xfc00) === 0xd800 ? p + 1 : p,
  )
  return splitAt(text, atCodePoints).flatMap<string | Uint8Array>((piece, i) => {
    if (!asBytes[i % Math.max(1, asBytes.length)]) return [piece]
    const raw = bytes(piece)
    return splitAt(raw, [(positions[i] ?? 0) % (raw.length + 1)])
  })
}

const splits: Array<[string, Units, Split]> = [
  ['one byte at a time', 'bytes', (_t, raw) => splitEvery(raw, 1)],
  ['one UTF-16 code unit at a time', 'utf16', (text) => splitEvery(text, 1)],
  [
    'before and after every CR and LF',
    'bytes',
    (_t, raw) =>
      splitAt(
        raw,
        [...raw.keys()].filter((i) => raw[i] === 10 || raw[i] === 13).flatMap((i) => [i, i + 1]),
      ),
  ],
  [
    'inside every UTF-8 sequence',
    'bytes',
    (_t, raw) =>
      splitAt(
        raw,
        [...raw.keys()].filter((i) => (raw[i] ?? 0) >= 0x80).map((i) => i + 1),
      ),
  ],
  ['at random bytes', 'bytes', (_t, raw, positions) => splitAt(raw, mod(positions, raw.length))],
  ['at random code units', 'utf16', (text, _raw, positions) => splitAt(text, mod(positions, text.length))],
  ['into random strings and bytes', 'mixed', mixed],
]

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('any split gives the events of the whole input', () => {
  test.each(splits)('%s', (_name, units, split) => {
    fc.assert(
      fc.property(sseText, decoderOptions, cuts, fc.array(fc.boolean(), { maxLength: 12 }), (text, options, positions, asBytes) => {
        const raw = bytes(text)
        const whole = decodeChunks(units === 'utf16' ? [text] : [raw], options)
        const pieces = decodeChunks(split(text, raw, positions, asBytes), options)
        expect(outcome(pieces, units !== 'mixed')).toEqual(outcome(whole, units !== 'mixed'))
      }),
      runs(150),
    )
  })

  test.each(splits.filter(([, units]) => units === 'bytes'))('%s, on bytes that are not valid UTF-8', (_name, _units, split) => {
    fc.assert(
      fc.property(sseishBytes, decoderOptions, cuts, (raw, options, positions) => {
        const whole = decodeChunks([raw], options)
        expect(outcome(decodeChunks(split('', raw, positions, []), options))).toEqual(outcome(whole))
      }),
      runs(150),
    )
  })
})

describe('the decoder agrees with the reference', () => {
  test('on generated streams fed whole as bytes', () => {
    fc.assert(
      fc.property(sseText, decoderOptions, (text, options) => {
        const raw = bytes(text)
        expect(outcome(decodeChunks([raw], options))).toEqual(reference(raw, options))
      }),
      runs(400),
    )
  })

  test('on generated streams fed whole as a string', () => {
    fc.assert(
      fc.property(sseText, decoderOptions, (text, options) => {
        expect(outcome(decodeChunks([text], options))).toEqual(reference(text, options))
      }),
      runs(400),
    )
  })

  test('on long events with many data lines, fed at random cut points', () => {
    fc.assert(
      fc.property(longEvents, decoderOptions, cuts, (text, options, positions) => {
        const raw = bytes(text)
        const result = decodeChunks(splitAt(raw, mod(positions, raw.length)), options)
        expect(outcome(result)).toEqual(reference(raw, options))
      }),
      runs(200),
    )
  })

  test('on arbitrary bytes, including invalid UTF-8, fed at random cut points', () => {
    fc.assert(
      fc.property(sseishBytes, decoderOptions, cuts, (raw, options, positions) => {
        const result = decodeChunks(splitAt(raw, mod(positions, raw.length)), options)
        expect(outcome(result)).toEqual(reference(raw, options))
      }),
      runs(400),
    )
  })

  test('the reference itself decodes a known stream', () => {
    // Guards the reference against agreeing with the decoder on a shared mistake.
    const raw = bytes([0xef, 0xbb, 0xbf], 'id: 1\r\ndata:a\rdata: €\n\n: c\nretry: 12\nevent: e\ndata\r\n\r\ndata: cut')
    expect(reference(raw)).toEqual({
      events: [
        { type: 'message', data: 'a\n€', lastEventId: '1' },
        { type: 'e', data: '', lastEventId: '1' },
      ],
      comments: ['c'],
      retries: [12],
      positions: [27, 57],
    })
    expect(reference(raw, { dispatchUnterminated: true }).events).toHaveLength(3)
    // `retry: 12` (9 units) at byte 32 is the first line longer than 8.
    expect(reference(raw, { maxEventBytes: 8 }).error).toEqual({ code: 'event_too_large', eventNumber: 2, byteOffset: 32 })
  })
})
