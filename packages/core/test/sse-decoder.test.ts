import { describe, expect, test } from 'vitest'
import { createSSEDecoder, DeltafoldError, isDeltafoldError, type ServerSentEvent } from '@deltafold/core'
import { bytes, decodeChunks, splitAt, splitEvery } from './helpers.js'

/** The event a browser's `MessageEvent` would show. */
function ev(data: string, lastEventId = '', type = 'message'): ServerSentEvent {
  return { type, data, lastEventId }
}

/**
 * What WPT's `eventsource/resources/message.py` sends: the `message` query parameter, then `\n\n\n`,
 * or only `\n` with `newline=none`.
 */
function served(message: string | Uint8Array, newline: 'default' | 'none' = 'default'): Uint8Array {
  const tail = newline === 'none' ? '\n' : '\n\n\n'
  return typeof message === 'string' ? bytes(message + tail) : bytes([...message], tail)
}

/**
 * `last-event-id.py?idvalue=…` (default `…`): the first response, and what it answers to a
 * reconnect to the same URL, which carries `Last-Event-ID` only when the last event ID is not empty.
 */
function lastEventIdResponse(idValue: string): string {
  return `id: ${idValue}\nretry: 200\ndata: hello\n\n`
}
function lastEventIdReconnect(lastEventId: string, idValue = '\u2026'): string {
  return lastEventId === '' ? lastEventIdResponse(idValue) : `data: ${lastEventId}\n\n`
}

interface WptCase {
  /** The responses the EventSource receives, in order (more than one when the test reconnects). */
  body: Uint8Array
  events: ServerSentEvent[]
  retries?: number[]
  comments?: string[]
}

const longComment = 'x'.repeat(2 * 1024)

// Parser-level cases of web-platform-tests `eventsource/format-*` (read from nodejs/node
// test/fixtures/wpt/eventsource/ and WPT eventsource/resources/*.py), one entry per file and subtest.
const wpt: Record<string, WptCase> = {
  'format-bom.any.js': {
    // "%EF%BB%BFdata%3A1%0A%0A%EF%BB%BFdata%3A2%0A%0Adata%3A3": the second BOM makes `\uFEFFdata` an unknown field.
    body: served(bytes([0xef, 0xbb, 0xbf], 'data:1\n\n', [0xef, 0xbb, 0xbf], 'data:2\n\ndata:3')),
    events: [ev('1'), ev('3')],
  },
  'format-bom-2.any.js': {
    // Double BOM: only the first is stripped, so the first line is the unknown field `\uFEFFdata`.
    body: served(bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'data:1\n\ndata:2\n\ndata:3')),
    events: [ev('2'), ev('3')],
  },
  'format-comments.any.js': {
    body: served(`data:1\r:\0\n:\r\ndata:2\n:${longComment}\rdata:3\n:data:fail\r:${longComment}\ndata:4\n`, 'none'),
    events: [ev('1\n2\n3\n4')],
    comments: ['\0', '', longComment, 'data:fail', longComment],
  },
  'format-data-before-final-empty-line.any.js': {
    // The last event has no blank line: it is discarded at EOF and its `id:` never becomes the last event ID.
    body: served('retry:1000\ndata:test1\n\nid:test\ndata:test2', 'none'),
    events: [ev('test1', '')],
    retries: [1000],
  },
  'format-field-data.any.js': {
    body: served('data:\n\ndata\ndata\n\ndata:test'),
    events: [ev(''), ev('\n'), ev('test')],
  },
  'format-field-event.any.js': {
    body: served('event:test\ndata:x\n\ndata:x'),
    events: [ev('x', '', 'test'), ev('x')],
  },
  'format-field-event-empty.any.js': {
    body: served('event: \ndata:data'),
    events: [ev('data')],
  },
  'format-field-id.any.js': {
    // The reconnect sends `Last-Event-ID: …` and the server echoes it as data; the ID persists.
    body: bytes(lastEventIdResponse('\u2026'), lastEventIdReconnect('\u2026')),
    events: [ev('hello', '\u2026'), ev('\u2026', '\u2026')],
    retries: [200],
  },
  'format-field-id-2.any.js': {
    body: bytes(lastEventIdResponse('\u2026'), lastEventIdReconnect('\u2026'), lastEventIdReconnect('\u2026')),
    events: [ev('hello', '\u2026'), ev('\u2026', '\u2026'), ev('\u2026', '\u2026')],
    retries: [200],
  },
  'format-field-id-3.window.js: lastEventId persists': {
    body: bytes('id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n'),
    events: [ev('1', '1'), ev('2', '1'), ev('3', '2'), ev('4', '2')],
  },
  'format-field-id-3.window.js: lastEventId resets': {
    body: bytes('id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n'),
    events: [ev('1', '1'), ev('2', ''), ev('3', '')],
  },
  'format-field-id-3.window.js: lastEventId resets (id without colon)': {
    body: bytes('id: 1\ndata: 1\n\nid\ndata:2\n\ndata:3\n\n'),
    events: [ev('1', '1'), ev('2', ''), ev('3', '')],
  },
  ...Object.fromEntries(
    ['\0\0', 'x\0', '\0x', 'x\0x', ' \0'].map((idValue): [string, WptCase] => [
      `format-field-id-null.window.js: id field set to ${encodeURIComponent(idValue)}`,
      {
        // The ID is ignored, so the reconnect carries no Last-Event-ID and gets the same response again.
        body: bytes(lastEventIdResponse(idValue), lastEventIdReconnect('', idValue)),
        events: [ev('hello', ''), ev('hello', '')],
        retries: [200, 200],
      },
    ]),
  ),
  'format-field-parsing.any.js': {
    body: served('data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n', 'none'),
    events: [ev('\0\n 2\n1\n3\n\n4')],
  },
  'format-field-retry.any.js': {
    // `03000` is 3000 in base ten (1536 in octal).
    body: served('retry:03000\ndata:x'),
    events: [ev('x')],
    retries: [3000],
  },
  'format-field-retry-bogus.any.js': {
    body: served('retry:3000\nretry:1000x\ndata:x'),
    events: [ev('x')],
    retries: [3000],
  },
  'format-field-retry-empty.any.js': {
    body: served('retry\ndata:test'),
    events: [ev('test')],
  },
  'format-field-unknown.any.js': {
    body: served('data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test'),
    events: [ev('test\n\ntest')],
    comments: ['thisisacommentyay'],
  },
  'format-leading-space.any.js': {
    // Only U+0020 is stripped, never a tab; one line ends with CR.
    body: served('data:\ttest\rdata: \ndata:test'),
    events: [ev('\ttest\n\ntest')],
  },
  'format-newlines.any.js': {
    body: served('data:test\r\ndata\ndata:test\r\n\r', 'none'),
    events: [ev('test\n\ntest')],
  },
  'format-null-character.any.js': {
    body: served('data:\0\n\n'),
    events: [ev('\0')],
  },
  'format-utf-8.any.js': {
    // Served as `text/event-stream;charset=windows-1252`: the stream is UTF-8 whatever the charset says.
    body: served(bytes('data:ok', [0xe2, 0x80, 0xa6])),
    events: [ev('ok\u2026')],
  },
}

describe('web-platform-tests eventsource/format-*', () => {
  test.each(Object.entries(wpt))('%s', (_name, { body, events, retries = [], comments = [] }) => {
    const whole = decodeChunks([body])
    expect(whole.error).toBeUndefined()
    expect(whole.events).toEqual(events)
    expect(whole.retries).toEqual(retries)
    expect(whole.comments).toEqual(comments)
    const byteByByte = decodeChunks(splitEvery(body, 1))
    expect(byteByByte).toEqual(whole)
  })
})

describe('line endings', () => {
  test.each([
    ['strings', ['data: a\r', '\ndata: b\r\n\r\n'], ['a\nb']],
    ['bytes', [bytes('data: a\r'), bytes('\ndata: b\r\n\r\n')], ['a\nb']],
    ['every CR and LF alone', ['data: a', '\r', '\n', 'data: b', '\r', '\n', '\r', '\n'], ['a\nb']],
    ['with empty chunks between', ['data: a\r', '', new Uint8Array(0), '\ndata: b\r\n\r\n'], ['a\nb']],
    ['the blank line split', ['data: a\r\n\r', '\ndata: b\n\n'], ['a', 'b']],
  ])('joins a CRLF split across chunks without a phantom event (%s)', (_name, chunks, expected) => {
    const { events, error } = decodeChunks(chunks)
    expect(error).toBeUndefined()
    expect(events.map((e) => e.data)).toEqual(expected)
  })

  test('dispatches on CR-only endings as soon as the CR arrives', () => {
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
    decoder.feed('data: x\r\r')
    expect(events).toEqual(['x'])
    decoder.feed('data: y\rdata: z\r\r')
    expect(events).toEqual(['x', 'y\nz'])
    decoder.end()
    expect(events).toEqual(['x', 'y\nz'])
  })

  test.each([
    ['LF then CRLF', 'data: a\n\r\ndata: b\r\r', ['a', 'b']],
    ['CR then LF-blank', 'data: a\r\ndata: b\n\n', ['a\nb']],
    ['LF CR as two line ends', 'data: a\n\rdata: b\n\n', ['a', 'b']],
    ['CR CR LF as two line ends', 'data: a\r\r\ndata: b\n\n', ['a', 'b']],
    ['all three in one event', 'data: a\rdata: b\ndata: c\r\n\n', ['a\nb\nc']],
  ])('mixed endings: %s', (_name, input, expected) => {
    expect(decodeChunks([input]).events.map((e) => e.data)).toEqual(expected)
  })

  test.each([
    ['U+2028 LINE SEPARATOR', '\u2028'],
    ['U+2029 PARAGRAPH SEPARATOR', '\u2029'],
    ['U+0085 NEXT LINE', '\u0085'],
    ['U+000B and U+000C', '\u000b\u000c'],
  ])('keeps %s inside a value, never a line break', (_name, char) => {
    const input = `data: a${char}b\nid: i${char}d\nevent: t${char}\n\n`
    const expected = [ev(`a${char}b`, `i${char}d`, `t${char}`)]
    expect(decodeChunks([input]).events).toEqual(expected)
    expect(decodeChunks(splitEvery(bytes(input), 1)).events).toEqual(expected)
  })
})

describe('UTF-8', () => {
  test('joins € split as E2 82 | AC without U+FFFD', () => {
    const { events } = decodeChunks([bytes('data: ', [0xe2, 0x82]), bytes([0xac], '\n\n')])
    expect(events).toEqual([ev('€')])
  })

  test.each([
    ['a lone FF', [0xff], '\uFFFD'],
    ['a lone continuation byte', [0x80], '\uFFFD'],
    ['a truncated 3-byte sequence before the line end', [0xe2, 0x82], '\uFFFD'],
    ['an overlong encoding', [0xc0, 0xaf], '\uFFFD\uFFFD'],
    ['a surrogate encoded in UTF-8', [0xed, 0xa0, 0x80], '\uFFFD\uFFFD\uFFFD'],
  ])('replaces %s with U+FFFD', (_name, raw, replaced) => {
    const input = bytes('data: <', raw, '>\n\n')
    expect(decodeChunks([input]).events).toEqual([ev(`<${replaced}>`)])
    expect(decodeChunks(splitEvery(input, 1)).events).toEqual([ev(`<${replaced}>`)])
  })

  test('decodes astral characters split between every byte', () => {
    expect(decodeChunks(splitEvery(bytes('data: 😀𝄞\n\n'), 1)).events).toEqual([ev('😀𝄞')])
  })

  test('joins a surrogate pair split across string chunks', () => {
    expect(decodeChunks(['data: \uD83D', '\uDE00\n\n']).events).toEqual([ev('😀')])
  })

  test('turns a UTF-8 sequence left unfinished at end() into U+FFFD', () => {
    const { events } = decodeChunks([bytes('data: a', [0xe2, 0x82])], { dispatchUnterminated: true })
    expect(events).toEqual([ev('a\uFFFD')])
  })

  test('turns a UTF-8 sequence cut by a switch to string input into U+FFFD', () => {
    expect(decodeChunks([bytes('data: a', [0xe2]), 'b\n\n']).events).toEqual([ev('a\uFFFDb')])
  })
})

describe('byte order mark', () => {
  test.each([
    ['whole', [bytes([0xef, 0xbb, 0xbf], 'data: a\n\n')]],
    ['split EF | BB BF', [bytes([0xef]), bytes([0xbb, 0xbf], 'data: a\n\n')]],
    ['split EF BB | BF', [bytes([0xef, 0xbb]), bytes([0xbf], 'data: a\n\n')]],
    ['one byte per chunk', splitEvery(bytes([0xef, 0xbb, 0xbf], 'data: a\n\n'), 1)],
    ['as a string', ['\uFEFFdata: a\n\n']],
    ['after an empty chunk', ['', new Uint8Array(0), '\uFEFFdata: a\n\n']],
  ])('strips a leading BOM (%s)', (_name, chunks) => {
    expect(decodeChunks(chunks).events).toEqual([ev('a')])
  })

  test('does not strip a BOM after the first character', () => {
    expect(decodeChunks(['data: a\n\n', '\uFEFFdata: b\n\n']).events).toEqual([ev('a')])
    expect(decodeChunks(['data: \uFEFFb\n\n']).events).toEqual([ev('\uFEFFb')])
    expect(decodeChunks(['d', '\uFEFF\n\ndata: c\n\n']).events).toEqual([ev('c')])
  })

  test('strips only one of two leading BOMs', () => {
    expect(decodeChunks(['\uFEFF\uFEFFdata: a\n\ndata: b\n\n']).events).toEqual([ev('b')])
  })

  test('strips a leading BOM again after reset()', () => {
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
    decoder.feed('\uFEFFdata: a\n\n')
    decoder.reset()
    decoder.feed(bytes([0xef, 0xbb, 0xbf], 'data: b\n\n'))
    expect(events).toEqual(['a', 'b'])
  })
})

describe('fields', () => {
  test('id: persists across events until changed, and an empty id clears it', () => {
    const { events } = decodeChunks(['id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\nid:\ndata: e\n\n'])
    expect(events).toEqual([ev('a', '1'), ev('b', '1'), ev('c', '2'), ev('d', ''), ev('e', '')])
  })

  test('id: is ignored when it contains NUL', () => {
    const { events } = decodeChunks(['id: 1\ndata: a\n\nid: 2\0\ndata: b\n\nid: \0\ndata: c\n\n'])
    expect(events).toEqual([ev('a', '1'), ev('b', '1'), ev('c', '1')])
  })

  test('id: of an event without data still sets the last event ID', () => {
    expect(decodeChunks(['id: 7\n\ndata: a\n\n']).events).toEqual([ev('a', '7')])
  })

  test('id: keeps everything after one space, including colons and spaces', () => {
    expect(decodeChunks(['id:  a:b \ndata\n\n']).events).toEqual([ev('', ' a:b ')])
  })

  test.each([
    ['retry: 10', [10]],
    ['retry:10', [10]],
    ['retry: 0', [0]],
    ['retry: 007', [7]],
    ['retry: 1234567890', [1234567890]],
    ['retry:', []],
    ['retry', []],
    ['retry: ', []],
    ['retry:  10', []],
    ['retry: 10 ', []],
    ['retry: 1.5', []],
    ['retry: -1', []],
    ['retry: +1', []],
    ['retry: 1e3', []],
    ['retry: 0x10', []],
    ['retry: \u0661\u0660', []],
    ['retry: \uFF11\uFF10', []],
    ['Retry: 10', []],
  ])('retry: accepts ASCII digits only: %j', (line, expected) => {
    expect(decodeChunks([`${line}\n\n`]).retries).toEqual(expected)
  })

  test('retry: does not need an onRetry handler', () => {
    const decoder = createSSEDecoder({ onEvent() {} })
    expect(() => decoder.feed('retry: 10\n: no onComment either\n\n')).not.toThrow()
  })

  test('event: empty gives type "message", and the type resets after each event', () => {
    const { events } = decodeChunks(['event:\ndata: a\n\nevent: x\ndata: b\n\ndata: c\n\nevent: \ndata: d\n\n'])
    expect(events).toEqual([ev('a'), ev('b', '', 'x'), ev('c'), ev('d')])
  })

  test('event: the last one before the blank line wins', () => {
    expect(decodeChunks(['event: a\nevent: b\ndata\n\n']).events).toEqual([ev('', '', 'b')])
  })

  test('does not dispatch an event with no data, and forgets its type', () => {
    const { events } = decodeChunks(['event: ping\n\n', 'event: x\nid: 1\n\n', 'data: y\n\n'])
    expect(events).toEqual([ev('y', '1')])
  })

  test('data: joins lines with LF and keeps empty lines', () => {
    expect(decodeChunks(['data: a\ndata:\ndata\ndata:  b\n\n']).events).toEqual([ev('a\n\n\n b')])
  })

  test.each([1, 15, 16, 17, 18, 100])('data: joins %i lines in order, and the next event starts empty', (n) => {
    const lines = Array.from({ length: n }, (_, i) => `v${i}`)
    const next = Array.from({ length: 20 }, (_, i) => `w${i}`)
    const input = [lines, next].map((event) => event.map((v) => `data: ${v}\n`).join('') + '\n').join('')
    expect(decodeChunks([input]).events).toEqual([ev(lines.join('\n')), ev(next.join('\n'))])
    // The limit counts the joined data plus the line being read (`data: ` and its value).
    const joined = lines.join('\n').length
    expect(decodeChunks([input], { maxEventBytes: Math.max(joined + 6, next.join('\n').length + 6) }).error).toBeUndefined()
    expect(decodeChunks([input], { maxEventBytes: joined }).error).toMatchObject({ code: 'event_too_large' })
  })

  test('data: field names are case-sensitive and never trimmed', () => {
    expect(decodeChunks(['Data: a\nDATA: b\n data: c\ndata : d\ndata\t: e\ndata: f\n\n']).events).toEqual([ev('f')])
  })

  test('data: a value may contain colons', () => {
    expect(decodeChunks(['data: a: b:c\n\n']).events).toEqual([ev('a: b:c')])
  })
})

describe('comments', () => {
  test.each([
    [': keep-alive', 'keep-alive'],
    [':no-space', 'no-space'],
    [':  two spaces', ' two spaces'],
    [':', ''],
    [': ', ''],
    [': OPENROUTER PROCESSING', 'OPENROUTER PROCESSING'],
    [':data: x', 'data: x'],
  ])('onComment gets %j as %j', (line, text) => {
    expect(decodeChunks([`${line}\n`])).toMatchObject({ comments: [text], events: [] })
  })

  test('comments do not end or reset the event around them', () => {
    const { events, comments } = decodeChunks(['event: x\ndata: a\n: ping\ndata: b\n:\n\n'])
    expect(events).toEqual([ev('a\nb', '', 'x')])
    expect(comments).toEqual(['ping', ''])
  })
})

describe('end()', () => {
  test('discards an event without its blank line by default', () => {
    expect(decodeChunks(['data: a\n\ndata: b\n']).events).toEqual([ev('a')])
    expect(decodeChunks(['data: a\n\ndata: b']).events).toEqual([ev('a')])
  })

  test('dispatchUnterminated: dispatches the unterminated event with its type and id', () => {
    const options = { dispatchUnterminated: true }
    expect(decodeChunks(['data: a\n\nevent: t\nid: 9\ndata: b\n'], options).events).toEqual([ev('a'), ev('b', '9', 't')])
    expect(decodeChunks(['data: a\n\ndata: b'], options).events).toEqual([ev('a'), ev('b')])
    expect(decodeChunks(['data: a\n\ndata: b\r'], options).events).toEqual([ev('a'), ev('b')])
  })

  test('dispatchUnterminated: dispatches nothing when the stream ends on a blank line or without data', () => {
    const options = { dispatchUnterminated: true }
    expect(decodeChunks(['data: a\n\n'], options).events).toEqual([ev('a')])
    expect(decodeChunks(['data: a\n\nevent: x\nid: 1'], options).events).toEqual([ev('a')])
    expect(decodeChunks([''], options).events).toEqual([])
  })

  test('does not process an unterminated last line by default', () => {
    expect(decodeChunks(['data: a\n\n: bye'])).toMatchObject({ comments: [], retries: [] })
    expect(decodeChunks(['data: a\n\nretry: 5'])).toMatchObject({ comments: [], retries: [] })
  })

  test('dispatchUnterminated: processes the unterminated last line', () => {
    const options = { dispatchUnterminated: true }
    expect(decodeChunks(['data: a\n\n: bye'], options).comments).toEqual(['bye'])
    expect(decodeChunks(['data: a\n\nretry: 5'], options).retries).toEqual([5])
  })

  test('is idempotent', () => {
    const decoder = createSSEDecoder({ onEvent() {} }, { dispatchUnterminated: true })
    decoder.feed('data: a')
    decoder.end()
    expect(decoder.eventCount).toBe(1)
    decoder.end()
    expect(decoder.eventCount).toBe(1)
  })
})

describe('input types', () => {
  test('reads any ArrayBufferView as bytes', () => {
    const raw = bytes('data: é\n\n')
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    expect(decodeChunks([view as unknown as Uint8Array]).events).toEqual([ev('é')])
  })

  test('reads a subarray without looking outside it', () => {
    const raw = bytes('XXdata: a\n\nYY')
    expect(decodeChunks([raw.subarray(2, 11)]).events).toEqual([ev('a')])
  })

  test('accepts strings and bytes interleaved', () => {
    expect(decodeChunks(['da', bytes('ta: €'), 'x\r', bytes('\n'), '\n']).events).toEqual([ev('€x')])
  })

  test('counts events in eventCount', () => {
    const decoder = createSSEDecoder({ onEvent() {} })
    decoder.feed('data: a\n\n: c\n\nevent: e\n\ndata: b\n\n')
    expect(decoder.eventCount).toBe(2)
    decoder.reset()
    expect(decoder.eventCount).toBe(0)
  })

  test('reset() forgets the last event ID, the pending line and a pending CR', () => {
    const events: ServerSentEvent[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e) })
    decoder.feed('id: 1\ndata: a\n\ndata: half\r')
    decoder.reset()
    decoder.feed('\ndata: b\n\n')
    expect(events).toEqual([ev('a', '1'), ev('b')])
  })

  test('reset() allows feeding again after end()', () => {
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
    decoder.feed('data: a\n\n')
    decoder.end()
    decoder.reset()
    decoder.feed('data: b\n\n')
    expect(events).toEqual(['a', 'b'])
  })
})

describe('maxEventBytes', () => {
  const MiB = 1024 * 1024

  function catchError(run: () => void): DeltafoldError {
    try {
      run()
    } catch (error) {
      if (error instanceof DeltafoldError) return error
      throw error
    }
    throw new Error('expected a DeltafoldError')
  }

  test('maxEventBytes: errors on an unterminated line (20 MiB without LF), after delivering earlier events', () => {
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
    decoder.feed('data: first\n\n')
    const piece = new Uint8Array(64 * 1024).fill(0x78)
    let fed = 13
    const error = catchError(() => {
      decoder.feed('data: ')
      fed += 6
      for (let i = 0; i < 320; i++) {
        decoder.feed(piece)
        fed += piece.length
      }
    })
    expect(isDeltafoldError(error)).toBe(true)
    expect(error.code).toBe('event_too_large')
    expect(error.eventNumber).toBe(2)
    expect(error.byteOffset).toBe(13)
    expect(events).toEqual(['first'])
    // Stopped at the first chunk past the 16 MiB default: memory stays bounded by the limit.
    expect(fed).toBeLessThanOrEqual(16 * MiB)
    expect(fed + piece.length).toBeGreaterThan(16 * MiB)
  }, 30_000)

  test('maxEventBytes: errors on endless `data: x\\n` without a blank line', () => {
    const { events, error } = decodeChunks(['data: ok\n\n', 'data: x\n'.repeat(100)], { maxEventBytes: 100 })
    expect(events).toEqual([ev('ok')])
    expect(error).toBeInstanceOf(DeltafoldError)
    // After k lines the data is `x\nx…x`, 2k - 1 long; line 49 (7) plus 95 buffered passes 100.
    expect(error).toMatchObject({ code: 'event_too_large', eventNumber: 2, byteOffset: 10 + 48 * 8 })
  })

  test('maxEventBytes: counts the line and the buffered data together', () => {
    expect(decodeChunks(['data: 1234\n\n'], { maxEventBytes: 10 }).error).toBeUndefined()
    expect(decodeChunks(['data: 12345\n\n'], { maxEventBytes: 10 }).error).toMatchObject({ code: 'event_too_large' })
    expect(decodeChunks(['data: 12345'], { maxEventBytes: 10 }).error).toMatchObject({ code: 'event_too_large' })
    expect(decodeChunks(['data: 12', '345'], { maxEventBytes: 10 }).error).toMatchObject({ code: 'event_too_large' })
    expect(decodeChunks(['data: 1234\ndata\n\n'], { maxEventBytes: 10 }).error).toBeUndefined()
    expect(decodeChunks(['data: 1234\ndata: 5678\n\n'], { maxEventBytes: 10 }).error).toMatchObject({ eventNumber: 1 })
    // The budget is per event: it starts again after each blank line.
    expect(decodeChunks(['data: 1234\n\n'.repeat(100)], { maxEventBytes: 10 }).events).toHaveLength(100)
  })

  test('maxEventBytes: refuses further input until reset(), then works again', () => {
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) }, { maxEventBytes: 8 })
    const error = catchError(() => decoder.feed('data: way too long\n\n'))
    expect(catchError(() => decoder.feed('data: a\n\n'))).toBe(error)
    expect(catchError(() => decoder.end())).toBe(error)
    expect(events).toEqual([])
    decoder.reset()
    decoder.feed('data: a\n\n')
    decoder.end()
    expect(events).toEqual(['a'])
  })

  test('maxEventBytes: the error points at the start of a line that spans chunks', () => {
    const { error } = decodeChunks([bytes('data: €\n\nda'), bytes('ta: 12'), bytes('345678')], { maxEventBytes: 10 })
    expect(error).toMatchObject({ code: 'event_too_large', eventNumber: 2, byteOffset: 11 })
  })

  test.each([0, -1, Number.NaN, '10' as unknown as number])('maxEventBytes: rejects %j with a TypeError', (value) => {
    expect(() => createSSEDecoder({ onEvent() {} }, { maxEventBytes: value })).toThrow(TypeError)
  })
})

describe('misuse', () => {
  test('throws a TypeError on feed() after end()', () => {
    const decoder = createSSEDecoder({ onEvent() {} })
    decoder.end()
    expect(() => decoder.feed('data: a\n\n')).toThrow(TypeError)
    expect(() => decoder.feed('data: a\n\n')).toThrow(/reset\(\)/)
  })

  test.each([123, null, undefined, {}, new ArrayBuffer(4), ['data: a']])('throws a TypeError on feed(%j)', (chunk) => {
    const decoder = createSSEDecoder({ onEvent() {} })
    expect(() => decoder.feed(chunk as unknown as string)).toThrow(TypeError)
    // The decoder is still usable.
    decoder.feed('data: a\n\n')
    expect(decoder.eventCount).toBe(1)
  })

  test.each([
    ['no handlers', undefined],
    ['null', null],
    ['no onEvent', {}],
    ['onEvent not a function', { onEvent: 'x' }],
  ])('throws a TypeError from createSSEDecoder with %s', (_name, handlers) => {
    expect(() => createSSEDecoder(handlers as never)).toThrow(TypeError)
  })

  test('throws a TypeError when a handler calls feed(), end() or reset() re-entrantly', () => {
    for (const call of ['feed', 'end', 'reset'] as const) {
      const decoder = createSSEDecoder({
        onEvent() {
          if (call === 'feed') decoder.feed('data: b\n\n')
          else decoder[call]()
        },
      })
      expect(() => decoder.feed('data: a\n\n')).toThrow(TypeError)
    }
  })

  test('lets an error thrown by onEvent propagate out of feed()', () => {
    const boom = new Error('boom')
    const decoder = createSSEDecoder({
      onEvent() {
        throw boom
      },
    })
    expect(() => decoder.feed('data: a\n\n')).toThrow(boom)
  })
})

describe('createSSEDecoder TSDoc example', () => {
  test('decodes "hello" from text and bytes split around a CRLF', () => {
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
    decoder.feed('data: hel')
    decoder.feed(new TextEncoder().encode('lo\r'))
    decoder.feed('\n\r\n')
    decoder.end()
    expect(events).toEqual(['hello'])
  })
})

describe('position()', () => {
  test('gives exact byte offsets of the dispatching blank line for multi-byte input', () => {
    // "data: €uro\n" is 6 + 3 + 3 + 1 = 13 bytes; "\n" at 13; "data: 😀\n" is 6 + 4 + 1 = 11 bytes
    // (14..24); "\r\n" at 25; "data: \xFF\xFF\n" is 6 + 2 + 1 = 9 bytes (27..35); "\n" at 36.
    const input = bytes('data: €uro\n\ndata: 😀\n\r\ndata: ', [0xff, 0xff], '\n\n')
    const expected = [13, 25, 36]
    for (const size of [input.length, 1, 2, 3, 5, 7]) {
      const { positions, events } = decodeChunks(splitEvery(input, size))
      expect(events.map((e) => e.data)).toEqual(['€uro', '😀', '\uFFFD\uFFFD'])
      expect(positions).toEqual(expected)
    }
  })

  test('counts a BOM and an unfinished sequence cut by an ASCII byte as their real bytes', () => {
    // BOM 3 bytes, "data: a" 7, E2 82 2 bytes, "\n" at 12, "\n" at 13.
    const input = bytes([0xef, 0xbb, 0xbf], 'data: a', [0xe2, 0x82], '\n\n')
    for (const size of [input.length, 1, 4]) expect(decodeChunks(splitEvery(input, size)).positions).toEqual([13])
  })

  test('gives UTF-16 code unit offsets for string input', () => {
    // "data: 😀\n" is 6 + 2 + 1 = 9 code units.
    expect(decodeChunks(['data: 😀\n\n']).positions).toEqual([9])
    expect(decodeChunks(splitEvery('data: 😀\n\n', 1)).positions).toEqual([9])
  })

  test('between chunks, points at the start of the unterminated line', () => {
    const decoder = createSSEDecoder({ onEvent() {} })
    expect(decoder.position()).toBe(0)
    decoder.feed(bytes('data: a\n\ndata: €'))
    expect(decoder.position()).toBe(9)
    decoder.feed(bytes('uro'))
    expect(decoder.position()).toBe(9)
    // "data: €uro" is bytes 9..20, the CR 21: the next line starts at 22, or at 23 once a LF follows.
    decoder.feed(bytes('\r'))
    expect(decoder.position()).toBe(22)
    decoder.feed(bytes('\n'))
    expect(decoder.position()).toBe(23)
  })

  test('is the input length after end(), also inside an event dispatched by end()', () => {
    const input = bytes('data: a\n\ndata: ü')
    let inside = -1
    const decoder = createSSEDecoder({ onEvent: () => (inside = decoder.position()) }, { dispatchUnterminated: true })
    decoder.feed(input)
    decoder.end()
    expect(inside).toBe(input.length)
    expect(decoder.position()).toBe(input.length)
  })

  test('maps offsets right inside a chunk that holds many events', () => {
    const one = 'data: ü\n\n' // 10 bytes
    const { positions } = decodeChunks(splitAt(bytes(one.repeat(1000)), [3, 5000, 5001]))
    expect(positions).toEqual(Array.from({ length: 1000 }, (_, i) => i * 10 + 9))
  })
})
