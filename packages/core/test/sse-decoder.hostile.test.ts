// Hostile and faulty inputs #1–#17 of the SSE layer (research/hostile-inputs.md §4). Items #14–#17
// are about `[DONE]` and finish_reason, which the chat pipeline handles: only their SSE part is here.
import { describe, expect, test } from 'vitest'
import { createSSEDecoder, DeltafoldError } from '@deltafold/core'
import { bytes, decodeChunks, splitAt, splitEvery, type DecodeResult } from './helpers.js'

const MiB = 1024 * 1024
// Budget for the tests that push tens of MiB through the decoder on a shared CI machine (not a timing check).
const HEAVY_TEST_TIMEOUT = 30_000

// Recorded streams (data only), copied byte for byte from vercel/ai @ ed857f50f112 (Apache-2.0), where
// the recorder stored one JSON chunk per line; the bodies are those lines as `data: <line>\n\n`.
// - packages/mistral/src/__fixtures__/mistral-tool-call.chunks.txt: Mistral mistral-small-latest, whole.
const mistralToolCall = [
  String.raw`{"id":"b3999b8c93e04e11bcbff7bcab829667","object":"chat.completion.chunk","created":1769088854,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"logprobs":null}]}`,
  String.raw`{"id":"b3999b8c93e04e11bcbff7bcab829667","object":"chat.completion.chunk","created":1769088854,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"id":"gSIMJiOkT","function":{"name":"weather","arguments":"{\"location\": \"San Francisco\"}"}}]},"finish_reason":"tool_calls","logprobs":null}],"usage":{"prompt_tokens":124,"total_tokens":146,"completion_tokens":22}}`,
]
// - packages/alibaba/src/__fixtures__/alibaba-text.chunks.txt: Alibaba qwen3-max, chunks 17–22 only
//   (trimmed here), chosen for the raw U+2014 and U+2019 they carry.
const qwenText = [
  String.raw`{"choices":[{"delta":{"content":" act of sharing personal"},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764906,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733"}`,
  String.raw`{"choices":[{"delta":{"content":" stories—especially those that"},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764906,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733"}`,
  String.raw`{"choices":[{"delta":{"content":" reveal vulnerability, growth"},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764906,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733"}`,
  String.raw`{"choices":[{"delta":{"content":", or unexpected kindness. It"},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764906,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733"}`,
  String.raw`{"choices":[{"delta":{"content":"’s a deliberate counter"},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764906,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733"}`,
  String.raw`{"choices":[{"delta":{"content":"point to curated online"},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764906,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733"}`,
]

const recorded = (payloads: string[], lineEnd = '\n') => bytes(payloads.map((payload) => `data: ${payload}${lineEnd}${lineEnd}`).join(''))

function decodeError(result: DecodeResult): DeltafoldError {
  expect(result.error).toBeInstanceOf(DeltafoldError)
  return result.error as DeltafoldError
}

describe('hostile inputs', () => {
  test.each([
    ['mistral tool call', mistralToolCall, '\n'],
    ['qwen text (multi-byte characters)', qwenText, '\n'],
    ['qwen text re-sent with CRLF', qwenText, '\r\n'],
    ['qwen text re-sent with CR', qwenText, '\r'],
  ])('#1: a recorded stream (%s) fed byte by byte and split at every 2-way boundary decodes as fed whole', (_name, payloads, lineEnd) => {
    const raw = recorded(payloads, lineEnd)
    const whole = decodeChunks([raw])
    expect(whole.error).toBeUndefined()
    expect(whole.events.map((e) => e.data)).toEqual(payloads)
    expect(whole.events.every((e) => e.type === 'message' && e.lastEventId === '')).toBe(true)
    expect(decodeChunks(splitEvery(raw, 1))).toEqual(whole)
    for (let at = 1; at < raw.length; at++) {
      const halves = decodeChunks(splitAt(raw, [at]))
      if (JSON.stringify(halves) !== JSON.stringify(whole)) expect({ at, ...halves }).toEqual({ at, ...whole })
    }
  })

  test('#2: `data: a\\r` then `\\ndata: b\\r\\n\\r\\n` is one event `a\\nb`', () => {
    const expected = [{ type: 'message', data: 'a\nb', lastEventId: '' }]
    expect(decodeChunks(['data: a\r', '\ndata: b\r\n\r\n']).events).toEqual(expected)
    expect(decodeChunks([bytes('data: a\r'), bytes('\ndata: b\r\n\r\n')]).events).toEqual(expected)
  })

  test('#3: CR-only `data: x\\r\\r` repeated N times gives N events, each dispatched without waiting for the next byte', () => {
    const n = 1000
    let count = 0
    const decoder = createSSEDecoder({
      onEvent(event) {
        expect(event.data).toBe('x')
        count++
      },
    })
    for (let i = 1; i <= n; i++) {
      decoder.feed(i % 2 === 0 ? 'data: x\r\r' : bytes('data: x\r\r'))
      expect(count).toBe(i)
    }
    decoder.end()
    expect(count).toBe(n)
    expect(decodeChunks(['data: x\r\r'.repeat(n)]).events).toHaveLength(n)
  })

  test('#4: `data: a\\n\\r\\ndata: b\\r\\r` is two events', () => {
    const input = 'data: a\n\r\ndata: b\r\r'
    expect(decodeChunks([input]).events.map((e) => e.data)).toEqual(['a', 'b'])
    expect(decodeChunks(splitEvery(bytes(input), 1)).events.map((e) => e.data)).toEqual(['a', 'b'])
  })

  test('#5: raw U+2028, U+2029 and U+0085 inside content are preserved', () => {
    const payload = '{"content":"line\u2028sep\u2029para\u0085nel"}'
    const raw = bytes(`data: ${payload}\n\n`)
    // U+0085 is C2 85 in UTF-8, U+2028 is E2 80 A8: neither holds a CR or LF byte.
    expect(decodeChunks([raw]).events).toEqual([{ type: 'message', data: payload, lastEventId: '' }])
    expect(decodeChunks(splitEvery(raw, 1)).events.map((e) => e.data)).toEqual([payload])
    expect(JSON.parse(decodeChunks([raw]).events[0]?.data ?? '')).toEqual({ content: 'line\u2028sep\u2029para\u0085nel' })
  })

  test('#6: `€` split as E2 82 then AC decodes to `€`, no U+FFFD', () => {
    const { events } = decodeChunks([bytes('data: {"c":"', [0xe2, 0x82]), bytes([0xac], '"}\n\n')])
    expect(events.map((e) => e.data)).toEqual(['{"c":"€"}'])
  })

  test('#7: byte FF inside content becomes U+FFFD (the decoder has no fatal mode)', () => {
    const { events, error } = decodeChunks([bytes('data: {"c":"a', [0xff], 'b"}\n\n')])
    expect(error).toBeUndefined()
    expect(events.map((e) => e.data)).toEqual(['{"c":"a\uFFFDb"}'])
  })

  test.each([
    ['a BOM at stream start', bytes([0xef, 0xbb, 0xbf], 'data: 1\n\n'), ['1']],
    ['a BOM before a later event', bytes('data: 1\n\n', [0xef, 0xbb, 0xbf], 'data: 2\n\ndata: 3\n\n'), ['1', '3']],
    ['two BOMs at stream start', bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'data: 1\n\ndata: 2\n\n'), ['2']],
  ])('#8: %s: only the first BOM is stripped, a later one makes its line an unknown field', (_name, raw, expected) => {
    expect(decodeChunks([raw]).events.map((e) => e.data)).toEqual(expected)
    expect(decodeChunks(splitEvery(raw, 1)).events.map((e) => e.data)).toEqual(expected)
  })

  test('#9: keep-alive comments, `event: ping` without data, unknown fields and `Data:x` are ignored; `data:` needs no space', () => {
    const input = ': keep-alive\n\nevent: ping\n\nfoo: bar\nData:x\n data: y\ndata:{"a":1}\n\n:\n: OPENROUTER PROCESSING\n\n'
    const result = decodeChunks([input])
    expect(result.events).toEqual([{ type: 'message', data: '{"a":1}', lastEventId: '' }])
    expect(result.comments).toEqual(['keep-alive', '', 'OPENROUTER PROCESSING'])
    // With data, `event: ping` is dispatched as type "ping": deciding what to do with it is the pipeline's job.
    expect(decodeChunks(['event: ping\ndata: {}\n\n']).events).toEqual([{ type: 'ping', data: '{}', lastEventId: '' }])
  })

  test(
    '#10: 20 MiB with no LF fails with event_too_large at the limit, earlier events intact, memory bounded',
    () => {
      const events: string[] = []
      const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
      decoder.feed('data: before\n\n')
      const piece = new Uint8Array(MiB).fill(0x61)
      let fed = 0
      let error: unknown
      try {
        decoder.feed('data: ')
        for (; fed < 20 * MiB; fed += piece.length) decoder.feed(piece)
      } catch (e) {
        error = e
      }
      expect(error).toMatchObject({ code: 'event_too_large', eventNumber: 2, byteOffset: 14 })
      // It threw on the chunk that crossed 16 MiB: it never held more than the limit plus one chunk.
      expect(fed).toBe(15 * MiB)
      expect(events).toEqual(['before'])
      expect(() => decoder.feed('data: after\n\n')).toThrow(DeltafoldError)
    },
    HEAVY_TEST_TIMEOUT,
  )

  test(
    '#11: endless `data: x\\n` with no blank line fails with event_too_large at the limit, earlier events intact',
    () => {
      const events: string[] = []
      const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) })
      decoder.feed('data: before\n\n')
      const piece = bytes('data: x\n'.repeat(8192)) // 64 KiB
      let lines = 0
      let error: unknown
      try {
        for (; lines < 12 * 1024 * 1024; lines += 8192) decoder.feed(piece)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DeltafoldError)
      expect(error).toMatchObject({ code: 'event_too_large', eventNumber: 2 })
      // Data after k lines is 2k - 1 long: the next line (7) plus the buffered data first passes 16 MiB
      // at k = 8 Mi - 2, so the failing line is number 8 Mi - 1, at byte 14 + (8 Mi - 2) * 8.
      expect((error as DeltafoldError).byteOffset).toBe(14 + (8 * MiB - 2) * 8)
      expect(lines).toBe(8 * MiB - 8192)
      expect(events).toEqual(['before'])
    },
    HEAVY_TEST_TIMEOUT,
  )

  test(
    '#12: an 8 MiB single line fed in 1,460-byte chunks decodes exactly (linearity is measured in bench/)',
    () => {
      const unit = 'ab€😀{"x":1}' // 1 + 1 + 3 + 4 + 7 = 16 bytes, so chunk edges fall inside sequences
      const payload = unit.repeat((8 * MiB) / 16)
      const raw = bytes(`data: ${payload}\n\n`)
      const pieces = splitEvery(raw, 1460)
      expect(pieces.length).toBeGreaterThan(5000)
      const { events, error, positions } = decodeChunks(pieces)
      expect(error).toBeUndefined()
      expect(events).toHaveLength(1)
      expect(events[0]?.data.length).toBe(payload.length)
      expect(events[0]?.data === payload).toBe(true)
      expect(positions).toEqual([raw.length - 1])
    },
    HEAVY_TEST_TIMEOUT,
  )

  test(
    '#13: 10^6 `data: {}\\n\\n` events in one chunk all arrive, with exact positions',
    () => {
      const n = 1_000_000
      let count = 0
      let wrong = 0
      let lastPosition = -1
      const decoder = createSSEDecoder({
        onEvent(event) {
          if (event.data !== '{}' || event.type !== 'message') wrong++
          count++
          if (count === n) lastPosition = decoder.position()
        },
      })
      decoder.feed(bytes('data: {}\n\n'.repeat(n)))
      decoder.end()
      expect(count).toBe(n)
      expect(wrong).toBe(0)
      expect(decoder.eventCount).toBe(n)
      expect(lastPosition).toBe(n * 10 - 1)
    },
    HEAVY_TEST_TIMEOUT,
  )

  test('#14: EOF in the middle of an event: not dispatched by default, dispatched with dispatchUnterminated', () => {
    for (const tail of ['data: {"b":', 'data: {"b":2}\n', 'data: {"b":2}\r']) {
      const input = `data: {"a":1}\n\n${tail}`
      expect(decodeChunks([input]).events.map((e) => e.data)).toEqual(['{"a":1}'])
      const data = tail.slice('data: '.length).replace(/[\r\n]$/, '')
      expect(decodeChunks([input], { dispatchUnterminated: true }).events.map((e) => e.data)).toEqual(['{"a":1}', data])
    }
  })

  test('#15: a stream that ends after its finish_reason chunk without `[DONE]` delivers every event and ends cleanly', () => {
    const result = decodeChunks([recorded(mistralToolCall)])
    expect(result.error).toBeUndefined()
    expect(result.events).toHaveLength(2)
    expect(JSON.parse(result.events[1]?.data ?? '')).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] })
  })

  test.each([
    ['`data: [DONE]`', 'data: [DONE]\n\n'],
    ['`data:[DONE]` without a space', 'data:[DONE]\n\n'],
    ['the CRLF variant', 'data: [DONE]\r\n\r\n'],
    ['the CR variant', 'data:[DONE]\r\r'],
  ])('#16: %s decodes to data "[DONE]"; events after it still decode (the pipeline ignores them)', (_name, done) => {
    const { events } = decodeChunks([`data: {}\n\n${done}data: {"late":1}\n\n`])
    expect(events.map((e) => e.data)).toEqual(['{}', '[DONE]', '{"late":1}'])
  })

  test('#17: `data: null` and an empty `data:` decode to "null" and "" (the pipeline skips them)', () => {
    expect(decodeChunks(['data: null\n\ndata:\n\ndata: \n\n']).events.map((e) => e.data)).toEqual(['null', '', ''])
  })

  test('#10 and #11 leave the decoder usable after reset()', () => {
    const result = decodeChunks(['data: ' + 'x'.repeat(100)], { maxEventBytes: 64 })
    expect(decodeError(result).code).toBe('event_too_large')
    const events: string[] = []
    const decoder = createSSEDecoder({ onEvent: (e) => events.push(e.data) }, { maxEventBytes: 64 })
    expect(() => decoder.feed('data: ' + 'x'.repeat(100))).toThrow(DeltafoldError)
    decoder.reset()
    decoder.feed('data: fine\n\n')
    expect(events).toEqual(['fine'])
  })
})
