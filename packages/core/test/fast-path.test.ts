import { describe, expect, test, vi } from 'vitest'
import { chunkOf, makeTemplate, matchTemplate, type FastTemplate } from '../src/chat/internal/fast-path.js'
import { byteByByte, recordedFixtures, seededRandom, splitBytes } from './chunk-helpers.js'
import { args, both, content, observe, openai, sse, type ObserveOptions } from './fast-path-helpers.js'

// Counts the payloads the parser's fast path matched, to check that the cases below exercise it.
const counter = vi.hoisted(() => ({ matched: 0 }))
vi.mock('../src/chat/internal/fast-path.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/chat/internal/fast-path.js')>()
  return {
    ...original,
    matchTemplate(t: FastTemplate, data: string): boolean {
      const matched = original.matchTemplate(t, data)
      if (matched) counter.matched++
      return matched
    },
  }
})

const encoder = new TextEncoder()

/** Runs `text` fast and generic, with and without a listener, whole and at seeded splits; all must agree. */
function expectSame(text: string, options: ObserveOptions = {}): { matched: number } {
  const bytes = encoder.encode(text)
  counter.matched = 0
  for (const listen of [false, true]) {
    const whole = both([bytes], { ...options, listen })
    expect(whole.fast).toEqual(whole.generic)
    const random = seededRandom(bytes.length)
    const cuts = Array.from({ length: 12 }, () => Math.floor(random() * bytes.length))
    const split = both(splitBytes(bytes, cuts), { ...options, listen })
    expect(split.fast).toEqual(split.generic)
    expect(split.fast).toEqual(whole.fast)
  }
  const matched = counter.matched
  counter.matched = 0
  return { matched }
}

/** A template made from `payload` as the stream parser makes it (its chunk parsed generically). */
function templateOf(payload: string): FastTemplate {
  const t = makeTemplate(payload, JSON.parse(payload), true, true)
  if (!t) throw new Error(`no template for ${payload}`)
  return t
}

const ROLE = openai('{"role":"assistant","content":"","refusal":null}')
const FINISH = openai('{}', { finish: '"stop"' })
const USAGE =
  '{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06",' +
  '"service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8},"obfuscation":"q"}'

/** A text stream whose third payload is `payload`: the first content chunk makes the template, the second is fast. */
function textStream(payload: string): string {
  return sse([
    ROLE,
    openai(content('Hel')),
    openai(content('lo'), { obfuscation: 'a1' }),
    payload,
    openai(content(' world')),
    FINISH,
    USAGE,
  ])
}

const CALL_START = openai(
  '{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null}',
)
const CALL_START_1 = openai('{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]}')

/** A tool-call stream whose fifth payload is `payload`. */
function toolStream(payload: string): string {
  return sse([
    CALL_START,
    openai(args('{\\"ci')),
    openai(args('ty\\":')),
    CALL_START_1,
    payload,
    openai(args(' \\"Paris\\"}')),
    openai(args('{}', '1')),
    openai('{}', { finish: '"tool_calls"' }),
    USAGE,
  ])
}

// [name, payload, does the template match it]
const TEXT_CASES: Array<[string, string, boolean]> = [
  ['a plain fragment', openai(content(' there')), true],
  ['an empty fragment', openai(content('')), true],
  ['multi-byte UTF-8 and astral characters', openai(content('naïve 日本語 🎉👩‍👩‍👧')), true],
  ['escaped quotes', openai(content('say \\"hi\\"')), true],
  ['an escaped backslash right before the closing quote', openai(content('C:\\\\')), true],
  ['three backslashes then an escaped quote', openai(content('a\\\\\\"b')), true],
  ['\\u escapes', openai(content('\\u00e9\\ud83d\\ude00\\u0000')), true],
  ['a lone surrogate escape', openai(content('\\ud800x')), true],
  ['raw U+2028 and U+2029', openai(content('a\u2028b\u2029c')), true],
  ['escaped control characters', openai(content('a\\n\\t\\r\\b\\f\\/')), true],
  ['obfuscation with an escaped quote', openai(content('x'), { obfuscation: 'a\\"b' }), true],
  ['obfuscation empty', openai(content('x'), { obfuscation: '' }), true],
  ['a raw control character (invalid JSON)', openai(content('a\u0001b')), false],
  ['a raw tab (invalid JSON)', openai(content('a\tb')), false],
  ['an invalid escape', openai(content('\\x41')), false],
  ['a short \\u escape', openai(content('\\u12')), false],
  ['a backslash escaping the closing quote', openai(content('abc\\')), false],
  ['an unescaped quote', openai(content('a"b')), false],
  ['a raw control character in obfuscation', openai(content('x'), { obfuscation: 'a\u0007' }), false],
  ['an invalid escape in obfuscation', openai(content('x'), { obfuscation: 'a\\q' }), false],
  ['created differs in one byte', openai(content('x')).replace('1741569952', '1741569953'), false],
  ['model differs in one byte', openai(content('x')).replace('gpt-4o-', 'gpt-4O-'), false],
  ['the id differs (Groq compound)', openai(content('x')).replace('chatcmpl-B9', 'chatcmpl-C9'), false],
  ['keys reordered', openai(content('x')).replace('"logprobs":null,"finish_reason":null', '"finish_reason":null,"logprobs":null'), false],
  ['a duplicate content key', openai('{"content":"a","content":"b"}'), false],
  ['a duplicate usage key', openai(content('x')).replace('"usage":null', '"usage":null,"usage":{"prompt_tokens":1}'), false],
  ['a __proto__ key in the delta', openai('{"__proto__":{"polluted":1},"content":"x"}'), false],
  ['a __proto__ key at the top', openai(content('x')).replace('{"id"', '{"__proto__":{"polluted":1},"id"'), false],
  ['a new choice index', openai(content('other'), { index: '1' }), true],
  ['a choice index with a leading zero', openai(content('x'), { index: '01' }), false],
  ['a choice index -0', openai(content('x'), { index: '-0' }), false],
  ['a choice index 0.0', openai(content('x'), { index: '0.0' }), false],
  ['a choice index 1e0', openai(content('x'), { index: '1e0' }), false],
  ['a choice index over the limit', openai(content('x'), { index: '128' }), true],
  ['a choice index of ten digits', openai(content('x'), { index: '1234567890' }), false],
  ['created in exponent form', openai(content('x')).replace('1741569952', '1.741569952e9'), false],
  ['whitespace between tokens', openai(content('x')).replace('"content":', '"content": '), false],
  ['trailing whitespace', `${openai(content('x'))} `, false],
  ['a truncated payload', openai(content('x')).slice(0, -3), false],
  ['truncated inside the fragment', openai(content('abc')).slice(0, openai(content('abc')).indexOf('abc') + 2), false],
  ['an error beside the delta', openai(content('x')).replace('"usage":null', '"error":{"message":"overloaded","code":529}'), false],
  ['an error: null field', openai(content('x')).replace('"usage":null', '"usage":null,"error":null'), false],
  ['a finish chunk', FINISH, false],
  ['a finish_reason on a content delta', openai(content('x'), { finish: '"length"' }), false],
  ['a usage chunk', USAGE, false],
  ['obfuscation missing', openai(content('x')).replace(',"obfuscation":"xYz"', ''), false],
  ['obfuscation not a string', openai(content('x')).replace('"obfuscation":"xYz"', '"obfuscation":5'), false],
  ['logprobs non-null', openai(content('x')).replace('"logprobs":null', '"logprobs":{"content":[]}'), false],
  ['content as an array of parts', openai('{"content":[{"type":"text","text":"x"}]}'), false],
  ['content as a number', openai('{"content":5}'), false],
  ['content null', openai('{"content":null}'), false],
  ['reasoning_content instead of content', openai('{"reasoning_content":"think"}'), false],
  ['a role on the delta', openai('{"role":"assistant","content":"x"}'), false],
  ['a provider field in the choice', openai(content('x'), { choice: ',"native_finish_reason":null' }), false],
  ['not JSON at all', 'data: nonsense', false],
  ['null', 'null', false],
]

describe('makeTemplate proves a template or makes none', () => {
  const payload = openai(content('Hel'))

  test('a chunk that is not JSON.parse of the payload (a listener changed it) gives no template', () => {
    const chunk = JSON.parse(payload) as { model: string; choices: Array<{ delta: Record<string, unknown> }> }
    chunk.model = 'other'
    expect(makeTemplate(payload, chunk, false, true)).toBe(false)
    const added = JSON.parse(payload) as Record<string, unknown>
    added.system_fingerprint = 'fp_other'
    expect(makeTemplate(payload, added, false, true)).toBe(false)
  })

  test('a value equal to its sentinel gives no template', () => {
    // Holes in text order: choice index (876543210), content (~1~), obfuscation (~2~).
    for (const p of [openai(content('~1~')), openai(content('x'), { obfuscation: '~2~' })])
      expect(makeTemplate(p, JSON.parse(p), false, true)).toBe(false)
    expect(
      makeTemplate(openai(content('x'), { index: '876543210' }), JSON.parse(openai(content('x'), { index: '876543210' })), false, true),
    ).toBe(false)
  })

  test('chunks of other shapes give none, cheaply (undefined)', () => {
    for (const p of [FINISH, USAGE, openai('{"content":"a","refusal":"b"}'), openai(content('x'), { choice: ',"x":{"a":1}' })]) {
      expect(makeTemplate(p, JSON.parse(p), false, true)).toBeUndefined()
    }
  })

  test('indexes are literals unless the stream has shown other indexes', () => {
    const t = makeTemplate(payload, JSON.parse(payload), false, false)
    if (!t) throw new Error('no template')
    expect(t.lits).toHaveLength(3)
    expect(matchTemplate(t, openai(content('x')))).toBe(true)
    expect(matchTemplate(t, openai(content('x'), { index: '1' }))).toBe(false)
    const tool = openai(args('{', '2'))
    const call = makeTemplate(tool, JSON.parse(tool), false, false)
    if (!call) throw new Error('no template')
    expect(matchTemplate(call, openai(args('}', '2')))).toBe(true)
    expect(call.tool).toBe(2)
    expect(matchTemplate(call, openai(args('}', '3')))).toBe(false)
  })

  test('with duplicate keys the hole is the occurrence JSON.parse keeps', () => {
    const p = openai('{"content":"first","content":"second"}')
    const t = templateOf(p)
    expect(matchTemplate(t, openai('{"content":"first","content":"third"}'))).toBe(true)
    expect(t.text).toBe('third')
    expect(matchTemplate(t, openai('{"content":"other","content":"third"}'))).toBe(false)
  })

  test('keys written with escapes are found', () => {
    const p = openai('{"cont\\u0065nt":"x"}')
    expect(JSON.parse(p).choices[0].delta).toEqual({ content: 'x' })
    const t = templateOf(p)
    expect(matchTemplate(t, openai('{"cont\\u0065nt":"y\\n"}'))).toBe(true)
    expect(t.text).toBe('y\n')
  })

  test('the skeleton builds the chunk JSON.parse gives, key order included', () => {
    const t = templateOf(payload)
    const next = openai(content('l\\u00f6'), { obfuscation: 'Q\\"' })
    expect(matchTemplate(t, next)).toBe(true)
    t.data = next
    expect(JSON.stringify(chunkOf(t))).toBe(JSON.stringify(JSON.parse(next)))
  })
})

describe('text payloads near a template: fast and generic paths agree', () => {
  test.each(TEXT_CASES)('%s', (_name, payload, matches) => {
    expect(matchTemplate(templateOf(openai(content('Hel'))), payload)).toBe(matches)
    const { matched } = expectSame(textStream(payload))
    // Two listening modes × (whole + split) runs; each matches "lo" at least.
    expect(matched).toBeGreaterThanOrEqual(4)
  })

  test('an `event: error` whose data matches the template is still the provider error', () => {
    const payload = openai(content('x'))
    const text = textStream(payload).replace(`data: ${payload}`, `event: error\ndata: ${payload}`)
    expect(text).toContain('event: error')
    expectSame(text)
    expect(observe([text]).error).toContain('upstream_error')
  })

  test('a payload split over two data lines (joined with LF: whitespace) agrees', () => {
    const payload = openai(content('x'))
    const at = payload.indexOf('"choices"')
    expectSame(textStream(payload).replace(`data: ${payload}`, `data: ${payload.slice(0, at)}\ndata: ${payload.slice(at)}`))
  })

  test('CRLF line ends and comments agree', () => {
    expectSame(
      textStream(openai(content('x')))
        .replaceAll('\n', '\r\n')
        .replace('data: [DONE]', ': keep-alive\r\ndata: [DONE]'),
    )
  })

  test('a stream without [DONE] whose last payload is unterminated agrees', () => {
    expectSame(sse([ROLE, openai(content('a')), openai(content('b')), openai(content('c'))], false).trimEnd())
  })
})

// [name, payload, does the template match it]
const TOOL_CASES: Array<[string, string, boolean]> = [
  ['an arguments fragment', openai(args('\\"Lyon')), true],
  ['an empty arguments fragment', openai(args('')), true],
  ['a fragment of the second call', openai(args('{\\"tz\\":', '1')), true],
  ['a call index nothing started yet', openai(args('x', '5')), true],
  ['a call index over maxToolCalls', openai(args('x', '128')), true],
  ['a call index with a leading zero', openai(args('x', '00')), false],
  ['a negative call index', openai(args('x', '-1')), false],
  ['a call index 1.0', openai(args('x', '1.0')), false],
  ['an id on the fragment', openai('{"tool_calls":[{"index":0,"id":"call_9","function":{"arguments":"x"}}]}'), false],
  ['id "" on the fragment (Qwen)', openai('{"tool_calls":[{"index":0,"id":"","function":{"arguments":"x"}}]}'), false],
  ['a name on the fragment', openai('{"tool_calls":[{"index":0,"function":{"name":"get_weather","arguments":"x"}}]}'), false],
  ['arguments null', openai('{"tool_calls":[{"index":0,"function":{"arguments":null}}]}'), false],
  ['arguments as an object', openai('{"tool_calls":[{"index":0,"function":{"arguments":{"a":1}}}]}'), false],
  [
    'two tool calls in one delta',
    openai('{"tool_calls":[{"index":0,"function":{"arguments":"x"}},{"index":1,"function":{"arguments":"y"}}]}'),
    false,
  ],
  ['no index', openai('{"tool_calls":[{"function":{"arguments":"x"}}]}'), false],
  ['a provider field on the function', openai('{"tool_calls":[{"index":0,"function":{"arguments":"x","x_extra":1}}]}'), false],
  ['content instead of arguments', openai(content('x')), false],
  ['a custom-input fragment', openai('{"tool_calls":[{"index":0,"custom":{"input":"x"}}]}'), false],
  [
    'a custom member beside the arguments',
    openai('{"tool_calls":[{"index":0,"function":{"arguments":"x"},"custom":{"input":"y"}}]}'),
    false,
  ],
]

describe('tool-call payloads near a template: fast and generic paths agree', () => {
  test.each(TOOL_CASES)('%s', (_name, payload, matches) => {
    expect(matchTemplate(templateOf(openai(args('{\\"ci'))), payload)).toBe(matches)
    expectSame(toolStream(payload))
    expectSame(toolStream(payload), { parseArguments: true })
  })

  test('custom calls interleaved with a function call: custom input falls back, arguments stay fast, and both paths agree', () => {
    const customStart = openai('{"tool_calls":[{"index":1,"id":"call_c","type":"custom","custom":{"name":"code_exec","input":""}}]}')
    const input = (text: string) => openai(`{"tool_calls":[{"index":1,"custom":{"input":"${text}"}}]}`)
    const text = sse([
      CALL_START,
      openai(args('{\\"ci')),
      customStart,
      input('print(\\"hel'),
      openai(args('ty\\":')),
      input('lo\\")'),
      openai(args('1}')),
      openai('{}', { finish: '"tool_calls"' }),
    ])
    const { matched } = expectSame(text)
    expect(matched).toBeGreaterThan(0)
    expectSame(text, { parseArguments: true })
    const calls = (JSON.parse(observe([text]).completion) as { choices: Array<{ message: { tool_calls: unknown[] } }> }).choices[0]!.message
      .tool_calls
    expect(calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":1}' } },
      { id: 'call_c', type: 'custom', custom: { name: 'code_exec', input: 'print("hello")' } },
    ])
  })

  test('Qwen continuations (id "", type repeated, keys in another order) take the fast path and agree', () => {
    const env = (call: string) =>
      `{"choices":[{"delta":{"content":null,"tool_calls":[${call}]},"finish_reason":null,"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1770764938,"system_fingerprint":null,"model":"qwen3-max","id":"chatcmpl-8e24"}`
    const text = sse([
      env('{"index":0,"id":"call_eee","type":"function","function":{"name":"weather","arguments":""}}'),
      ...['{\\"loc', 'ation\\": ', '\\"San ', 'Francisco\\"}'].map((a) =>
        env(`{"index":0,"id":"","type":"function","function":{"arguments":"${a}"}}`),
      ),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
  })
})

describe('options and listeners: fast and generic paths agree', () => {
  const stream = textStream(openai(content('more text')))

  test.each([64, 100, 120, 130, 140, 150, 200])('limits.maxBytes: %i fails at the same chunk, path and byte offset', (maxBytes) => {
    expectSame(stream, { limits: { maxBytes } })
    expectSame(toolStream(openai(args('abcdef'))), { limits: { maxBytes } })
  })

  test('limits.maxChoices and maxToolCalls: an index at the limit is the same error', () => {
    expectSame(textStream(openai(content('x'), { index: '1' })), { limits: { maxChoices: 1 } })
    expectSame(toolStream(openai(args('x', '1'))), { limits: { maxToolCalls: 1 } })
  })

  test('strict mode agrees', () => {
    expectSame(stream, { strict: true })
    expectSame(toolStream(openai(args('x'))), { strict: true })
  })

  test('parseArguments: JSON content parsed incrementally agrees', () => {
    const text = sse([
      ROLE,
      ...['{"a"', ':[1,', '2],"b":', '"\\u00e9"}'].map((piece) => openai(content(JSON.stringify(piece).slice(1, -1)))),
      FINISH,
    ])
    expect(expectSame(text, { parseArguments: true }).matched).toBeGreaterThan(0)
  })

  test('a listener that changes the chunk object changes the completion the same way', () => {
    // From the fourth chunk on (the template is made from the second, unchanged).
    const tap = () => {
      let n = 0
      return (event: { type: string; chunk?: unknown }) => {
        if (event.type !== 'chunk' || ++n < 4) return
        const choice = (event.chunk as { choices?: Array<{ delta?: Record<string, unknown> }> }).choices?.[0]
        if (choice?.delta && typeof choice.delta.content === 'string') choice.delta.content = `<${choice.delta.content}>`
      }
    }
    expect(expectSame(stream, { tap }).matched).toBeGreaterThan(0)
  })

  test('a listener that adds fields, swaps objects or replaces the prototype is applied as push() would', () => {
    // Every third chunk from the fourth on is changed; the template is made from an unchanged one.
    const tap = () => {
      let n = 0
      return (event: { type: string; chunk?: unknown }) => {
        if (event.type !== 'chunk' || ++n < 4 || n % 3 !== 0) return
        const chunk = event.chunk as Record<string, unknown> & { choices: Array<Record<string, unknown>> }
        const choice = chunk.choices[0]!
        switch ((n / 3) % 5) {
          case 0:
            chunk.x_added = { n }
            break
          case 1:
            choice.finish_reason = 'stop'
            break
          case 2:
            Object.setPrototypeOf(choice, { logprobs: { content: [{ token: 'x', logprob: -1, bytes: null, top_logprobs: [] }] } })
            delete choice.logprobs
            break
          case 3:
            Object.defineProperty(choice, 'finish_reason', { value: 'length', enumerable: false })
            break
          default:
            chunk.choices = [{ index: 0, delta: { refusal: 'no' }, finish_reason: null }]
        }
      }
    }
    const text = sse([ROLE, ...Array.from({ length: 20 }, (_, i) => openai(content(`t${i}`))), FINISH])
    expect(expectSame(text, { tap }).matched).toBeGreaterThan(0)
  })

  test('a listener that leaves a throwing getter on the chunk changes nothing either way', () => {
    const tap = () => (event: { type: string; chunk?: unknown }) => {
      if (event.type !== 'chunk') return
      const chunk = event.chunk as { choices?: Array<Record<string, unknown>> }
      const choice = chunk.choices?.[0]
      if (!choice) return
      const delta = choice.delta
      Object.defineProperty(choice, 'delta', {
        get() {
          if (getterCalls++ > 0) throw new Error('read twice')
          return delta
        },
        enumerable: true,
      })
    }
    let getterCalls = 0
    const wrapped = () => {
      const inner = tap()
      return (event: { type: string; chunk?: unknown }) => {
        getterCalls = 0
        inner(event)
      }
    }
    expectSame(stream, { tap: wrapped })
  })

  test('a listener that throws on a chunk event stops both paths alike', () => {
    const tap = () => {
      let n = 0
      return (event: { type: string }) => {
        if (event.type === 'chunk' && ++n === 4) throw new Error('listener failed')
      }
    }
    expectSame(stream, { tap })
  })

  test('a listener that throws on a content delta stops both paths alike', () => {
    const tap = () => (event: { type: string; delta?: string }) => {
      if (event.type === 'content.delta' && event.delta === 'lo') throw new RangeError('no')
    }
    expectSame(stream, { tap })
  })
})

describe('shapes of other providers: fast and generic paths agree', () => {
  test('OpenRouter: role repeated on every delta and a null native_finish_reason (counted)', () => {
    const env = (delta: string) =>
      `{"id":"gen-1","provider":"Fireworks","model":"kimi","object":"chat.completion.chunk","created":1753248104,"choices":[{"index":0,"delta":${delta},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}`
    const text = sse([
      env('{"role":"assistant","content":""}'),
      ...['The', ' installed', ' version', ' is'].map((t) => env(`{"role":"assistant","content":"${t}"}`)),
      // Another role in between: the next repeat of the template's role sets it back (a role event).
      env('{"role":"user","content":" odd"}'),
      env('{"role":"assistant","content":" back"}'),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
    for (const maxBytes of [20, 30, 40, 50]) expectSame(text, { limits: { maxBytes } })
  })

  test('a template role that differs from the current one is set again, with its role event', () => {
    // Alternating roles: once the template budget is spent, every fast repeat changes the role back.
    const text = sse(Array.from({ length: 40 }, (_, i) => openai(`{"role":"${i % 2 === 0 ? 'assistant' : 'user'}","content":"t${i}"}`)))
    expect(expectSame(text).matched).toBeGreaterThan(0)
  })

  test('a repeated tool-call type is set on a call that had none, and counted', () => {
    const start = (i: number) => openai(`{"tool_calls":[{"index":${i},"id":"call_${i}","function":{"name":"f${i}","arguments":""}}]}`)
    const fragment = (i: number, a: string) => openai(`{"tool_calls":[{"index":${i},"type":"function","function":{"arguments":"${a}"}}]}`)
    const text = sse([start(0), start(1), fragment(0, '{'), fragment(1, '{'), fragment(0, '}'), fragment(1, '}')])
    expect(expectSame(text).matched).toBeGreaterThan(0)
    for (let maxBytes = 20; maxBytes <= 40; maxBytes += 2) expectSame(text, { limits: { maxBytes } })
  })

  test('a fast fragment makes its call the one an index-less fragment continues', () => {
    const start = (i: number) =>
      openai(`{"tool_calls":[{"index":${i},"id":"call_${i}","type":"function","function":{"name":"f${i}","arguments":""}}]}`)
    // The template comes from a fragment of call 1; the fast fragment of call 0 must make call 0 the last one.
    const text = sse([
      start(0),
      start(1),
      openai(args('{', '1')),
      openai(args('{', '0')),
      openai('{"tool_calls":[{"function":{"arguments":"}"}}]}'),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
  })

  test('provider fields with null on a tool call and its function are counted alike', () => {
    const env = (call: string) => openai(`{"tool_calls":[${call}]}`)
    const text = sse([
      env('{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}'),
      ...['{\\"a', '\\":1', '}'].map((a) => env(`{"index":0,"function":{"arguments":"${a}","x_fn":null},"x_call":null}`)),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
    for (const maxBytes of [10, 15, 20, 25, 30]) expectSame(text, { limits: { maxBytes } })
  })

  test('DeepSeek: content null beside reasoning_content, then content', () => {
    const env = (delta: string) =>
      `{"id":"cac7","object":"chat.completion.chunk","created":1764661832,"model":"deepseek-reasoner","system_fingerprint":"fp_x","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}],"usage":null}`
    const text = sse([
      env('{"role":"assistant","content":null,"reasoning_content":""}'),
      ...['We', ' need', ' to'].map((t) => env(`{"content":null,"reasoning_content":"${t}"}`)),
      ...['The', ' word', '.'].map((t) => env(`{"content":"${t}","reasoning_content":null}`)),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
  })

  test('Groq/vLLM: reasoning, x_groq on the first chunk only', () => {
    const env = (delta: string, extra = '') =>
      `{"id":"chatcmpl-3556","object":"chat.completion.chunk","created":1770770846,"model":"qwen/qwen3-32b","system_fingerprint":"fp_78","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}]${extra}}`
    const text = sse([
      env('{"role":"assistant","content":""}', ',"x_groq":{"id":"req_1","seed":8}'),
      ...['Okay', ',', ' let'].map((t) => env(`{"reasoning":"${t}"}`)),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
  })

  test('n = 2: chunks of both choices interleaved use one template with a choice-index hole', () => {
    const text = sse([
      openai('{"role":"assistant","content":""}'),
      openai('{"role":"assistant","content":""}', { index: '1' }),
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((t, i) => openai(content(t), { index: String(i % 2) })),
    ])
    expect(expectSame(text).matched).toBeGreaterThan(0)
  })

  test('the fast path is not retried forever on chunks that never repeat a shape', () => {
    const text = sse(Array.from({ length: 50 }, (_, i) => openai(content(`t${i}`)).replace('chatcmpl-B9', `chatcmpl-${i}-`)))
    expect(expectSame(text).matched).toBe(0)
  })
})

describe('recorded fixtures: fast and generic paths agree', () => {
  const fixtures = recordedFixtures()
  let total = 0
  test.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    counter.matched = 0
    for (const listen of [false, true]) {
      for (const options of [{}, { parseArguments: true }, { strict: true }]) {
        const whole = both([fixture.bytes], { ...options, listen })
        expect(whole.fast).toEqual(whole.generic)
      }
      const bytes = both(byteByByte(fixture.bytes), { listen })
      expect(bytes.fast).toEqual(bytes.generic)
    }
    total += counter.matched
  })

  test('the fast path takes part in most of them', () => {
    expect(total).toBeGreaterThan(1000)
  })
})
