import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, encodeSSE, isDeltafoldError, type SSEEventInit } from '@deltafold/core'
import { decodeChunks, splitAt } from './helpers.js'

const SEED = 0x5eed

describe('encodeSSE', () => {
  test.each<[string, SSEEventInit, string]>([
    ['writes one data line and a blank line', { data: 'hello' }, 'data: hello\n\n'],
    ['writes an empty data line for empty data', { data: '' }, 'data: \n\n'],
    ['keeps a leading space with the separator space', { data: ' x' }, 'data:  x\n\n'],
    ['splits data at LF', { data: 'a\nb' }, 'data: a\ndata: b\n\n'],
    ['splits data at CR', { data: 'a\rb' }, 'data: a\ndata: b\n\n'],
    ['splits data at CRLF once', { data: 'a\r\nb' }, 'data: a\ndata: b\n\n'],
    ['writes an empty line for a trailing line break', { data: 'a\n' }, 'data: a\ndata: \n\n'],
    ['splits LF CR as two breaks', { data: 'a\n\rb' }, 'data: a\ndata: \ndata: b\n\n'],
    [
      'writes the fields in order: comment, event, id, retry, data',
      { data: 'd', type: 't', id: '1', retry: 10, comment: 'c' },
      ': c\nevent: t\nid: 1\nretry: 10\ndata: d\n\n',
    ],
    ['omits an empty type (the default, message)', { data: 'd', type: '' }, 'data: d\n\n'],
    ['writes an empty id, which resets the last event id', { data: 'd', id: '' }, 'id: \ndata: d\n\n'],
    ['keeps a leading space in type and id', { data: 'd', type: ' t', id: ' 1' }, 'event:  t\nid:  1\ndata: d\n\n'],
    ['writes retry 0', { data: 'd', retry: 0 }, 'retry: 0\ndata: d\n\n'],
    ['writes a multi-line comment as several comment lines', { data: 'd', comment: 'a\r\nb\rc\n' }, ': a\n: b\n: c\n: \ndata: d\n\n'],
    ['keeps NUL and U+2028 in data (not line breaks in SSE)', { data: 'a\u0000b\u2028c' }, 'data: a\u0000b\u2028c\n\n'],
  ])('%s', (_name, event, expected) => {
    expect(encodeSSE(event)).toBe(expected)
  })

  test.each<[string, SSEEventInit, string]>([
    ['rejects LF in type', { data: 'd', type: 'a\nb' }, '$.type'],
    ['rejects CR in type', { data: 'd', type: 'a\rb' }, '$.type'],
    ['rejects LF in id', { data: 'd', id: 'a\nb' }, '$.id'],
    ['rejects CR in id', { data: 'd', id: '\r' }, '$.id'],
    ['rejects NUL in id (decoders ignore such ids)', { data: 'd', id: 'a\u0000' }, '$.id'],
    ['rejects a negative retry', { data: 'd', retry: -1 }, '$.retry'],
    ['rejects a fractional retry', { data: 'd', retry: 1.5 }, '$.retry'],
    ['rejects a NaN retry', { data: 'd', retry: Number.NaN }, '$.retry'],
    ['rejects an infinite retry', { data: 'd', retry: Number.POSITIVE_INFINITY }, '$.retry'],
    ['rejects a retry beyond the safe integers', { data: 'd', retry: 2 ** 53 }, '$.retry'],
  ])('%s with an invalid_event DeltafoldError', (_name, event, path) => {
    let caught: unknown
    try {
      encodeSSE(event)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(DeltafoldError)
    expect(isDeltafoldError(caught)).toBe(true)
    expect(caught).toMatchObject({ code: 'invalid_event', path })
  })

  test('names the offending value in the message', () => {
    expect(() => encodeSSE({ data: 'd', id: 'a\nb' })).toThrow('SSE event id must not contain CR, LF or NUL: "a\\nb"')
  })

  test.each<[string, unknown]>([
    ['a missing event', undefined],
    ['null', null],
    ['data that is not a string', { data: { a: 1 } }],
    ['missing data', { type: 'x' }],
    ['a type that is not a string', { data: 'd', type: 5 }],
    ['an id that is not a string', { data: 'd', id: 5 }],
    ['a comment that is not a string', { data: 'd', comment: ['c'] }],
  ])('throws TypeError for %s', (_name, event) => {
    expect(() => encodeSSE(event as SSEEventInit)).toThrow(TypeError)
  })

  test('runs its TSDoc example', () => {
    expect(encodeSSE({ data: 'line 1\nline 2', type: 'note', id: '7' })).toBe('event: note\nid: 7\ndata: line 1\ndata: line 2\n\n')
    expect(encodeSSE({ data: '{"a":1}', comment: 'keep-alive' })).toBe(': keep-alive\ndata: {"a":1}\n\n')
  })
})

describe('encodeSSE property: the core decoder gives back what was encoded', () => {
  // Any code point, plus a bias towards the characters the grammar cares about.
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.string({ unit: fc.constantFrom('a', ' ', ':', '\n', '\r', '\r\n', '\u0000', '\ufeff', '😀', 'é'), maxLength: 12 }),
  )
  const noLineBreak = text.map((s) => s.replace(/[\r\n]/g, ''))
  const event: fc.Arbitrary<SSEEventInit> = fc.record(
    {
      data: text,
      type: noLineBreak,
      id: noLineBreak.map((s) => s.replace(/\u0000/g, '')),
      retry: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      comment: text,
    },
    { requiredKeys: ['data'] },
  )

  test('decode(encode(events)) == events, line breaks in data as LF, whatever the byte split', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
        const bytes = new TextEncoder().encode(events.map(encodeSSE).join(''))
        const result = decodeChunks(
          splitAt(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          ),
        )
        expect(result.error).toBeUndefined()
        let lastEventId = ''
        const expected = events.map((e) => {
          if (e.id !== undefined) lastEventId = e.id
          return { type: e.type === undefined || e.type === '' ? 'message' : e.type, data: e.data.replace(/\r\n|\r/g, '\n'), lastEventId }
        })
        expect(result.events).toEqual(expected)
        expect(result.comments).toEqual(events.flatMap((e) => (e.comment === undefined ? [] : e.comment.split(/\r\n|\r|\n/))))
        expect(result.retries).toEqual(events.flatMap((e) => (e.retry === undefined ? [] : [e.retry])))
      }),
      { seed: SEED, numRuns: 300 },
    )
  })
})
