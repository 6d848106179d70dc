import { describe, expect, test } from 'vitest'
import {
  accumulateChatCompletion,
  createChatCompletionStreamParser,
  detectWireFormat,
  ProviderError,
  streamChatCompletion,
  type ChatCompletion,
  type CompletionEvent,
  type DeltafoldError,
  type ServerSentEvent,
  type StreamFormat,
} from '@deltafold/core'
import { anthropicSSE, messageStart } from './anthropic-helpers.js'
import { sse } from './responses-helpers.js'

const ANTHROPIC = anthropicSSE([
  messageStart('msg_1'),
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get', input: {} } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } },
  { type: 'message_stop' },
])

const response = { id: 'resp_1', object: 'response', created_at: 7, model: 'gpt-test', status: 'in_progress', output: [] }
const message = {
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'Hello', annotations: [] }],
}
const RESPONSES_EVENTS = [
  { type: 'response.created', response },
  { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
  {
    type: 'response.content_part.added',
    output_index: 0,
    item_id: 'msg_1',
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  },
  { type: 'response.output_text.delta', output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'Hel' },
  { type: 'response.output_text.delta', output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'lo' },
  { type: 'response.output_item.done', output_index: 0, item: message },
  {
    type: 'response.completed',
    response: { ...response, status: 'completed', output: [message], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } },
  },
]
const RESPONSES = sse(RESPONSES_EVENTS)

const CHAT =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}\n\n' +
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n'

/** The same body without its `event:` lines: the format shows only in the data's `type`. */
const withoutEventNames = (body: string) => body.replace(/^event: .*\n/gm, '')

async function failure(promise: Promise<unknown>): Promise<DeltafoldError> {
  try {
    await promise
  } catch (error) {
    return error as DeltafoldError
  }
  throw new Error('expected a rejection')
}

const event = (data: string, type = 'message'): ServerSentEvent => ({ type, data, lastEventId: '' })

describe('detectWireFormat', () => {
  test.each([
    ['an Anthropic event name', event('{}', 'content_block_delta'), 'anthropic'],
    ['an Anthropic ping', event('{"type":"ping"}', 'ping'), 'anthropic'],
    ['a Responses event name', event('{}', 'response.created'), 'responses'],
    ['an Anthropic data type', event('{"type":"message_start","message":{}}'), 'anthropic'],
    ['a Responses data type', event('{"type":"response.output_text.delta","delta":"x"}'), 'responses'],
    ["Anthropic's error shape", event('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'), 'anthropic'],
    ["Responses' error shape", event('{"type":"error","code":"server_error","message":"boom"}'), 'responses'],
    ['a chat chunk', event('{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"type":"function"}]}}]}'), 'chat'],
    ['[DONE]', event('[DONE]'), undefined],
    ['empty data', event(''), undefined],
    ['text that is not JSON', event('{oops'), undefined],
  ])('%s', (_what, e, expected) => {
    expect(detectWireFormat(e)).toBe(expected)
  })
})

describe("format: 'auto'", () => {
  test.each([
    ['Anthropic with event names', ANTHROPIC],
    ['Anthropic without event names', withoutEventNames(ANTHROPIC)],
  ])('folds %s into the mapped chat.completion', async (_what, body) => {
    const completion = await accumulateChatCompletion([body], { format: 'auto' })
    expect(completion).toMatchObject({ id: 'msg_1', model: 'claude-test', object: 'chat.completion' })
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: 'Hello',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } }],
      },
    })
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 })
  })

  test.each([
    ['Responses with event names', RESPONSES],
    ['Responses without event names', withoutEventNames(RESPONSES)],
  ])('folds %s into the mapped chat.completion', async (_what, body) => {
    const completion = await accumulateChatCompletion([body], { format: 'auto' })
    expect(completion).toMatchObject({ id: 'resp_1', model: 'gpt-test', created: 7 })
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Hello' } })
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })
  })

  test('a chat stream stays on the chat path: the same completion and events as the default', async () => {
    const auto: CompletionEvent[] = []
    const chat: CompletionEvent[] = []
    const a = await accumulateChatCompletion([CHAT], { format: 'auto', onEvent: (e) => auto.push(e) })
    const b = await accumulateChatCompletion([CHAT], { onEvent: (e) => chat.push(e) })
    expect(a).toEqual(b)
    expect(a.choices[0]!.message.content).toBe('Hello')
    expect(auto).toEqual(chat)
  })

  test('comments and events that cannot tell come before the deciding event', async () => {
    const completion = await accumulateChatCompletion([': keep-alive\n\ndata: \n\n' + ANTHROPIC], { format: 'auto' })
    expect(completion.choices[0]!.message.content).toBe('Hello')
  })

  test('gives the same events as the explicit format', async () => {
    const auto: CompletionEvent[] = []
    const explicit: CompletionEvent[] = []
    await accumulateChatCompletion([ANTHROPIC], { format: 'auto', onEvent: (e) => auto.push(e) })
    await accumulateChatCompletion([ANTHROPIC], { format: 'anthropic', onEvent: (e) => explicit.push(e) })
    expect(auto.map((e) => e.type)).toContain('tool_call.arguments.delta')
    expect(auto.length).toBe(explicit.length)
    // `created` is the time each translator saw message_start: compare the rest.
    const strip = (events: CompletionEvent[]) => JSON.parse(JSON.stringify(events).replace(/"created":\d+/g, '"created":0')) as unknown
    expect(strip(auto)).toEqual(strip(explicit))
  })

  test('a Responses stream cut before its terminal event rejects unexpected_eof with the text received in partial', async () => {
    const cut = sse(RESPONSES_EVENTS.slice(0, -1))
    const error = await failure(accumulateChatCompletion([cut], { format: 'auto' }))
    expect(error).toMatchObject({ code: 'unexpected_eof' })
    expect((error.partial as ChatCompletion).choices[0]!.message.content).toBe('Hello')
  })

  test('an Anthropic error event first is a ProviderError', async () => {
    const body = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    const error = await failure(accumulateChatCompletion([body], { format: 'auto' }))
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toMatchObject({ type: 'overloaded_error' })
  })

  test('streamChatCompletion hands out the translated events and the final completion', async () => {
    const stream = streamChatCompletion([RESPONSES], { format: 'auto' })
    let text = ''
    for await (const e of stream) if (e.type === 'content.delta') text += e.delta
    expect(text).toBe('Hello')
    expect((await stream.finalChatCompletion()).choices[0]!.message.content).toBe('Hello')
  })

  test('the stream parser fed byte by byte gives the same completion', () => {
    const bytes = new TextEncoder().encode(ANTHROPIC)
    const parser = createChatCompletionStreamParser({ format: 'auto' })
    for (let i = 0; i < bytes.length; i++) parser.feed(bytes.subarray(i, i + 1))
    expect(parser.end().choices[0]!.message.tool_calls![0]!).toMatchObject({ function: { arguments: '{"a":1}' } })
  })
})

describe('an explicit format of another stream', () => {
  test.each<[string, StreamFormat | undefined, string, string]>([
    ['the default (chat) on an Anthropic stream', undefined, ANTHROPIC, "pass format: 'anthropic' or 'auto'"],
    ["'chat' on a Responses stream", 'chat', RESPONSES, "pass format: 'responses' or 'auto'"],
    ["'completions' on an Anthropic stream", 'completions', ANTHROPIC, "pass format: 'anthropic' or 'auto'"],
    ["'anthropic' on a Responses stream", 'anthropic', RESPONSES, "pass format: 'responses' or 'auto'"],
    ["'anthropic' on a chat stream", 'anthropic', CHAT, "pass format: 'chat' or 'auto'"],
    ["'responses' on a chat stream", 'responses', CHAT, "pass format: 'chat' or 'auto'"],
    [
      "'responses' on an Anthropic stream without event names",
      'responses',
      withoutEventNames(ANTHROPIC),
      "pass format: 'anthropic' or 'auto'",
    ],
  ])('%s is unsupported_format at the first event, with its position and partial', async (_what, format, body, hint) => {
    const options = format === undefined ? {} : { format }
    const error = await failure(accumulateChatCompletion([body], options as { format?: 'chat' }))
    const object = format === 'completions' ? 'text_completion' : 'chat.completion'
    expect(error).toMatchObject({ code: 'unsupported_format', eventNumber: 1, path: '$.type', partial: { object, choices: [] } })
    expect(error.byteOffset).toBeGreaterThan(0)
    expect(error.message).toContain(hint)
  })

  test('an error event is the provider error of the format asked for, not a mismatch', async () => {
    const body = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    for (const format of ['chat', 'anthropic', 'responses'] as const) {
      expect(await failure(accumulateChatCompletion([body], { format }))).toBeInstanceOf(ProviderError)
    }
  })

  test('a format that is not one of the five is a TypeError saying which are', () => {
    expect(() => createChatCompletionStreamParser({ format: 'gemini' as never })).toThrow(
      new TypeError(
        "options.format must be 'chat', 'completions', 'responses', 'anthropic', 'auto', got \"gemini\": leave it out for 'chat'",
      ),
    )
  })
})

test('the chunk accumulator refuses the byte-stream formats with a TypeError naming the entry points', async () => {
  const { createChatCompletionAccumulator } = await import('@deltafold/core')
  for (const format of ['responses', 'anthropic', 'auto'] as const) {
    expect(() => createChatCompletionAccumulator({ format })).toThrow(
      new TypeError(
        `options.format '${format}' is for byte streams: the accumulator folds chat chunk objects; use accumulateChatCompletion or createChatCompletionStreamParser`,
      ),
    )
  }
})
