import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  ProviderError,
  accumulateChatCompletion,
  createChatCompletionStreamParser,
  streamChatCompletion,
  type ChatCompletion,
  type ChatCompletionStreamOptions,
  type CompletionEvent,
} from '@deltafold/core'
import { splitAt } from './helpers.js'

// Fixed seed: CI runs the same cases every time; change it locally to explore.
const SEED = 20261205
const encoder = new TextEncoder()

const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_1',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } }],
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
    { index: 1, message: { role: 'assistant', content: 'Héllo 😀' }, logprobs: null, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
}

/** The one-chunk stream a streaming request would have given for COMPLETION. */
const ONE_CHUNK = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_1',
  choices: [
    {
      index: 0,
      delta: {
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } }],
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
    { index: 1, delta: { role: 'assistant', content: 'Héllo 😀' }, logprobs: null, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
}

interface Outcome {
  completion?: ChatCompletion
  error?: unknown
  events: CompletionEvent[]
}

/** Feeds `pieces` to a fresh stream parser and ends it; never throws. */
function parsePieces(pieces: ReadonlyArray<Uint8Array | string>, options: ChatCompletionStreamOptions = {}): Outcome {
  const events: CompletionEvent[] = []
  const parser = createChatCompletionStreamParser({ ...options, onEvent: (e) => events.push(e) })
  try {
    for (const piece of pieces) parser.feed(piece)
    return { completion: parser.end(), events }
  } catch (error) {
    return { error, events }
  }
}

/** Runs `check` on the whole input and on random byte and string splits of it (fixed seed). */
function atAnySplit(input: string, check: (outcome: Outcome) => void, options?: ChatCompletionStreamOptions): void {
  const bytes = encoder.encode(input)
  check(parsePieces([input], options))
  check(parsePieces([bytes], options))
  // Splits inside the first token (the `{` of a JSON body, the `d` of `data:`) and anywhere else.
  check(parsePieces(splitAt(bytes, [1, 2]), options))
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 8 }), (cuts) => {
      check(parsePieces(splitAt(bytes, cuts), options))
      check(parsePieces(splitAt(input, cuts), options))
    }),
    { seed: SEED, numRuns: 40 },
  )
}

describe('input that is not an event stream', () => {
  test.each([
    ['plain text', 'hello world\n', '"hello world\\n"'],
    ['HTML', '<!doctype html><html><body>502 Bad Gateway</body></html>', '"<!doctype html><html><body>502 Bad Gateway</body></html>"'],
    ['text without a line end', 'hello', '"hello"'],
    ['a header-like line', 'Content-Type: text/plain\n\nhello\n', '"Content-Type: text/plain\\n\\nhello\\n"'],
    ['JSON that is neither a completion nor an error', '{"object":"list","data":[]}', '"{\\"object\\":\\"list\\",\\"data\\":[]}"'],
    ['a JSON number array', '[1,2,3]', '"[1,2,3]"'],
    ['JSON cut short', '{"choices":[{"index":0', '"{\\"choices\\":[{\\"index\\":0"'],
  ])('%s is not_event_stream quoting the head and saying what was expected', (_name, input, quoted) => {
    atAnySplit(input, ({ error, completion }) => {
      expect(completion).toBeUndefined()
      expect(error).toMatchObject({ code: 'not_event_stream', eventNumber: 0, byteOffset: 0, partial: { choices: [] } })
      expect((error as Error).message).toContain('Expected a server-sent event stream')
      expect((error as Error).message).toContain(quoted)
    })
  })

  test('binary input is not_event_stream with its first bytes escaped, at most ~100 of them', () => {
    const elf = new Uint8Array(4096)
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0xff, 0xfe])
    for (let i = 10; i < elf.length; i++) elf[i] = (i * 7919) & 0xff
    const { error } = parsePieces([elf.subarray(0, 3), elf.subarray(3)])
    expect(error).toMatchObject({ code: 'not_event_stream' })
    const message = (error as Error).message
    expect(message).toContain('"\\x7fELF\\x02\\x01\\x01\\x00\\xff\\xfe')
    expect(message.length).toBeLessThan(600)
  })

  test('a large body without any event fails after 64 KiB, without waiting for the end', () => {
    const parser = createChatCompletionStreamParser()
    const line = 'lorem ipsum dolor sit amet\n'
    let thrown: unknown
    let fed = 0
    try {
      for (; fed < 10_000; fed++) parser.feed(line)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ code: 'not_event_stream' })
    expect(fed * line.length).toBeLessThan(70 * 1024)
  })

  test('text followed by events is a stream after all (unknown lines are ignored, as WHATWG says)', () => {
    atAnySplit('hello\ndata: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n', ({ completion, error }) => {
      expect(error).toBeUndefined()
      expect(completion!.choices[0]!.message.content).toBe('Hi')
    })
  })
})

describe('empty input', () => {
  test.each([
    ['zero bytes', '', /no bytes were received/],
    ['blank lines', '\n\r\n\n', /no event/],
    ['only comments', ': ping\n\n: ping\n\n', /no event/],
    ['only [DONE]', 'data: [DONE]\n\n', /1 event but no chunk/],
    ['only null payloads', 'data: null\n\ndata:\n\n', /2 events but no chunk/],
    ['a comment then [DONE]', ': OPENROUTER PROCESSING\n\ndata: [DONE]\n\n', /1 event but no chunk/],
    ['a stream cut inside its first field name', 'da', /no event/],
  ])('%s is empty_stream, and an empty completion with allowEmpty', (_name, input, message) => {
    atAnySplit(input, ({ error }) => {
      expect(error).toMatchObject({ code: 'empty_stream', partial: { choices: [] } })
      expect((error as Error).message).toMatch(message)
    })
    atAnySplit(
      input,
      ({ error, completion }) => {
        expect(error).toBeUndefined()
        expect(completion).toEqual({ id: '', object: 'chat.completion', created: 0, model: '', choices: [] })
      },
      { allowEmpty: true },
    )
  })
})

describe('a JSON body instead of a stream', () => {
  test.each([
    [
      'an OpenAI error object',
      '{"error":{"message":"Rate limit","type":"rate_limit","code":null}}',
      { message: 'Rate limit', type: 'rate_limit', code: null },
      'Rate limit',
    ],
    ['an error string', '{"error":"invalid api key"}', 'invalid api key', 'invalid api key'],
    ['a FastAPI detail', '{"detail":"Not Found"}', { detail: 'Not Found' }, 'Not Found'],
    [
      'a validation detail list',
      '{"detail":[{"loc":["body","model"],"msg":"field required"}]}',
      { detail: [{ loc: ['body', 'model'], msg: 'field required' }] },
      'field required',
    ],
    ['a message body', '{"message":"Internal server error"}', { message: 'Internal server error' }, 'Internal server error'],
    [
      'an array of error bodies',
      '[{"error":{"code":400,"message":"API key not valid","status":"INVALID_ARGUMENT"}}]',
      { code: 400, message: 'API key not valid', status: 'INVALID_ARGUMENT' },
      'API key not valid',
    ],
    ['an error body after whitespace and a BOM', '\uFEFF \n {"error":{"message":"quota"}}\n', { message: 'quota' }, 'quota'],
  ])('%s is a ProviderError (upstream_error) carrying the provider object', (_name, input, object, message) => {
    atAnySplit(input, ({ error, completion }) => {
      expect(completion).toBeUndefined()
      expect(error).toBeInstanceOf(ProviderError)
      expect(error).toMatchObject({ code: 'upstream_error', error: object, partial: { choices: [] } })
      expect((error as Error).message).toContain(message)
    })
  })

  test('a complete chat.completion is accepted with the events a one-chunk stream gives', () => {
    const streamed = parsePieces([`data: ${JSON.stringify(ONE_CHUNK)}\n\ndata: [DONE]\n\n`])
    expect(streamed.error).toBeUndefined()
    atAnySplit(JSON.stringify(COMPLETION, null, 2), ({ error, completion, events }) => {
      expect(error).toBeUndefined()
      expect(completion).toEqual(streamed.completion)
      expect(events).toEqual(streamed.events)
    })
    expect(streamed.completion!.choices[0]!.message.tool_calls).toEqual(COMPLETION.choices[0]!.message.tool_calls)
    expect(streamed.completion!.choices[1]!.message.content).toBe('Héllo 😀')
  })

  test('strict: a complete chat.completion is not_streamed', () => {
    atAnySplit(
      JSON.stringify(COMPLETION),
      ({ error }) => {
        expect(error).toMatchObject({ code: 'not_streamed' })
        expect((error as Error).message).toContain('"stream": true')
      },
      { strict: true },
    )
  })

  test('a non-streamed completion gets the same validation and limits as a chunk', () => {
    const bad = JSON.stringify({ ...COMPLETION, choices: [{ index: 500, message: { content: 'x' } }] })
    expect(parsePieces([bad]).error).toMatchObject({ code: 'invalid_index' })
    expect(parsePieces([JSON.stringify(COMPLETION)], { limits: { maxBytes: 10 } }).error).toMatchObject({ code: 'limit_exceeded' })
    expect(parsePieces([JSON.stringify(COMPLETION)], { maxEventBytes: 100 }).error).toMatchObject({ code: 'limit_exceeded' })
  })
})

describe('the async entry points', () => {
  test('accumulateChatCompletion and streamChatCompletion reject the same not-a-stream inputs', async () => {
    for (const [input, code] of [
      ['', 'empty_stream'],
      ['hello world\n', 'not_event_stream'],
      ['{"error":{"message":"x"}}', 'upstream_error'],
      ['data: [DONE]\n\n', 'empty_stream'],
    ] as const) {
      await expect(accumulateChatCompletion(input)).rejects.toMatchObject({ code })
      await expect(accumulateChatCompletion([encoder.encode(input)])).rejects.toMatchObject({ code })
      const stream = streamChatCompletion(input)
      await expect(stream.finalChatCompletion()).rejects.toMatchObject({ code })
    }
  })

  test('inputKind says what the input was: json for a non-streamed completion, event-stream, chunks, undecided', async () => {
    const json = streamChatCompletion(JSON.stringify(COMPLETION))
    expect(json.inputKind()).toBe('undecided')
    await json.finalChatCompletion()
    expect(json.inputKind()).toBe('json')
    const sse = streamChatCompletion(`data: ${JSON.stringify(ONE_CHUNK)}\n\n`)
    await sse.finalChatCompletion()
    expect(sse.inputKind()).toBe('event-stream')
    const chunks = streamChatCompletion([ONE_CHUNK])
    await chunks.finalChatCompletion()
    expect(chunks.inputKind()).toBe('chunks')
    const parser = createChatCompletionStreamParser()
    parser.feed('da')
    expect(parser.inputKind).toBe('undecided')
    parser.feed('ta: {}\n\n')
    expect(parser.inputKind).toBe('event-stream')
  })

  test('a non-streamed completion through accumulateChatCompletion', async () => {
    const completion = await accumulateChatCompletion([JSON.stringify(COMPLETION).slice(0, 1), JSON.stringify(COMPLETION).slice(1)])
    expect(completion.choices[1]!.message.content).toBe('Héllo 😀')
    expect(completion.usage).toEqual(COMPLETION.usage)
  })
})
