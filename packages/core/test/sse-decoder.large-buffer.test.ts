import { describe, expect, test } from 'vitest'
import { decodeChunks } from './helpers.js'

const encoder = new TextEncoder()

/** ~300 KB of events whose data mixes ASCII, 2-, 3- and 4-byte characters, CRLF and LF line ends. */
function body(): Uint8Array {
  const parts: string[] = []
  const words = ['hello', 'héllo', '日本語', '😀 emoji', 'plain ascii text', 'Ω']
  for (let i = 0, length = 0; length < 300_000; i++) {
    const end = i % 3 === 0 ? '\r\n' : '\n'
    const part = `id: ${i}${end}data: ${words[i % words.length]!.repeat(1 + (i % 40))}${end}${end}`
    parts.push(part)
    length += part.length
  }
  return encoder.encode(parts.join(''))
}

describe('one large Uint8Array', () => {
  test('gives the same events, positions and counts as the same bytes in small pieces, whatever the offset of the characters', () => {
    const whole = body()
    for (const shift of [0, 1, 2, 3]) {
      // Shifting the start moves every multi-byte character across the decoder's internal windows.
      const bytes = whole.subarray(shift)
      const pieces: Uint8Array[] = []
      for (let start = 0; start < bytes.length; start += 1000) pieces.push(bytes.subarray(start, start + 1000))
      const expected = decodeChunks(pieces)
      const actual = decodeChunks([bytes])
      expect(actual.error).toBeUndefined()
      expect(actual.events.length).toBeGreaterThan(1000)
      expect(actual.events).toEqual(expected.events)
      expect(actual.positions).toEqual(expected.positions)
    }
  })

  test('maxEventBytes: an oversized line in one large buffer is event_too_large at its byte offset', () => {
    const bytes = encoder.encode('data: ok\n\n' + 'data: ' + 'x'.repeat(300_000) + '\n\n')
    const { events, error } = decodeChunks([bytes], { maxEventBytes: 100_000 })
    expect(events.map((e) => e.data)).toEqual(['ok'])
    expect(error).toMatchObject({ code: 'event_too_large', byteOffset: 10 })
  })
})
