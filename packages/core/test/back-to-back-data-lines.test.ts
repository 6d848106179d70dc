import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { both, observe, openai, content, args, serialize, sse } from './fast-path-helpers.js'

const NO_ERROR = serialize(undefined)
import { splitAt } from './helpers.js'

// Fixed seed: CI runs the same cases every time; change it locally to explore.
const SEED = 18_6

/** GLM/Kimi style: one chunk per `data:` line, no blank line between them, `groups` events. */
function backToBack(groups: readonly (readonly string[])[]): string {
  return groups.map((lines) => lines.map((p) => `data: ${p}\n`).join('') + '\n').join('')
}

const TEXT = ['Hel', 'lo', ' wor', 'ld', '!', ' How', ' are', ' you'].map((t) => openai(content(t)))
const TOOL = [
  openai('{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"add","arguments":""}}]}'),
  ...['{\\"a', '\\":1', ',\\"b\\"', ':2}'].map((t) => openai(args(t))),
  openai('{}', { finish: '"tool_calls"' }),
]

describe('back-to-back data lines (one chunk per line, no blank line)', () => {
  test.each([
    ['text, all in one event', TEXT, [TEXT]],
    ['text, in events of 3', TEXT, [TEXT.slice(0, 3), TEXT.slice(3, 6), TEXT.slice(6)]],
    ['a tool call, two per event', TOOL, [TOOL.slice(0, 2), TOOL.slice(2, 4), TOOL.slice(4)]],
    ['mixed with normal events', TEXT, [TEXT.slice(0, 1), TEXT.slice(1, 5), TEXT.slice(5, 6), TEXT.slice(6)]],
  ])('%s: the same events and completion as the separated stream, fast path on and off, at any split', (_name, payloads, groups) => {
    const reference = observe([sse(payloads, false)], { fastPath: false })
    expect(reference.error).toBe(NO_ERROR)
    const body = backToBack(groups)
    const check = (pieces: Array<string | Uint8Array>) => {
      const { fast, generic } = both(pieces)
      for (const run of [fast, generic]) {
        expect(run.error).toBe(NO_ERROR)
        expect(run.completion).toBe(reference.completion)
        expect(run.events).toEqual(reference.events)
      }
    }
    check([body])
    const bytes = new TextEncoder().encode(body)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 6 }), (cuts) => check(splitAt(bytes, cuts))),
      { seed: SEED, numRuns: 30 },
    )
  })

  test('a [DONE] line ends the stream after the chunks before it', () => {
    const run = observe([backToBack([[TEXT[0]!, TEXT[1]!, '[DONE]']]) + `data: ${TEXT[2]}\n\n`])
    expect(run.error).toBe(NO_ERROR)
    expect(run.sawDone).toBe(true)
    expect(JSON.parse(run.completion).choices[0].message.content).toBe('Hello')
  })

  test('a provider error on a line is raised after the chunks before it, with the partial', () => {
    const run = observe([backToBack([[TEXT[0]!, '{"error":{"message":"quota"}}', TEXT[1]!]])])
    const error = JSON.parse(run.error)
    expect(error).toMatchObject({ code: 'upstream_error', eventNumber: 1, partial: { choices: [{ message: { content: 'Hel' } }] } })
  })

  test('a chunk written over several data lines (valid JSON once joined) is one chunk, as before', () => {
    const run = observe(['data: {"choices":[{"index":0,\ndata: "delta":{"content":"x"}}]}\n\n'])
    expect(run.error).toBe(NO_ERROR)
    expect(JSON.parse(run.completion).choices[0].message.content).toBe('x')
  })

  test('strict: the joined data stays invalid_json', () => {
    const run = observe([backToBack([TEXT.slice(0, 2)])], { strict: true })
    expect(JSON.parse(run.error)).toMatchObject({ code: 'invalid_json', eventNumber: 1 })
  })

  test('a line that is not a whole chunk keeps the invalid_json error of the whole event', () => {
    for (const lines of [
      [TEXT[0]!, '{"choices":'],
      [TEXT[0]!, 'not json'],
      [TEXT[0]!, '42'],
      // Cut inside a string: neither the joined text nor the lines parse.
      ['{"choices":[{"index":0,"delta":{"content":"x', 'y"}}]}'],
    ]) {
      const run = observe([backToBack([lines])])
      const error = JSON.parse(run.error)
      expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 1, data: lines.join('\n') })
      expect(error.partial.choices).toEqual([])
    }
  })
})
