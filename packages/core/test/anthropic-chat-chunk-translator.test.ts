import {
  accumulateAnthropicMessage,
  anthropicMessageToChatCompletion,
  createAnthropicChatChunkTranslator,
  createChatCompletionAccumulator,
  isDeltafoldError,
  ProviderError,
  type ChatCompletion,
  type ChatCompletionChunk,
} from '@deltafold/core'
import { describe, expect, test } from 'vitest'
import { anthropicFixtures, anthropicSSE, FAILING_FIXTURES, messageStart, sseEvents } from './anthropic-helpers.js'

const CREATED = 1_700_000_000

/** Every chunk the translator makes of `body`, then `end()`'s; throws what the translator throws. */
function translate(body: string | Uint8Array): ChatCompletionChunk[] {
  const translator = createAnthropicChatChunkTranslator({ created: CREATED })
  const chunks: ChatCompletionChunk[] = []
  for (const [i, event] of sseEvents(body).entries()) chunks.push(...translator.push(event, { eventNumber: i + 1 }))
  chunks.push(...translator.end())
  return chunks
}

function fold(chunks: ChatCompletionChunk[]): ChatCompletion {
  const acc = createChatCompletionAccumulator({ strict: true })
  for (const chunk of chunks) acc.push(chunk)
  return acc.finish()
}

/** Tool-call arguments parsed: the stream passes the model's JSON text, the pure mapping re-serializes `input`. */
function withParsedArguments(completion: ChatCompletion): unknown {
  const copy = structuredClone(completion) as ChatCompletion
  for (const choice of copy.choices) {
    for (const call of choice.message.tool_calls ?? []) {
      if (call.type === 'function') (call.function as { arguments: unknown }).arguments = JSON.parse(call.function.arguments)
    }
  }
  return copy
}

describe.each(
  anthropicFixtures()
    .filter((f) => !FAILING_FIXTURES.has(f.name))
    .map((f) => [f.name, f] as const),
)('%s', (_name, fixture) => {
  test('the translated chunks fold to the mapping of the final Message', async () => {
    const expected = anthropicMessageToChatCompletion(await accumulateAnthropicMessage(fixture.bytes), { created: CREATED })
    const folded = fold(translate(fixture.bytes))
    expect(withParsedArguments(folded)).toEqual(withParsedArguments(expected))
    // The text fields agree exactly; arguments are the streamed JSON text, valid JSON of the same value.
    expect(folded.choices[0]!.message.content).toBe(expected.choices[0]!.message.content)
    expect(folded.choices[0]!.message.tool_calls?.map((call) => call.id)).toEqual(
      expected.choices[0]!.message.tool_calls?.map((call) => call.id),
    )
  })
})

const text = (id = 'msg_1') => [
  messageStart(id),
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
  { type: 'content_block_stop', index: 0 },
]
const end = (stop_reason: string, usage: Record<string, unknown> = { output_tokens: 5 }) => [
  { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage },
  { type: 'message_stop' },
]

describe('mapping', () => {
  test.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['something_new', 'something_new'],
  ])('stop_reason %s becomes finish_reason %s', (stop, finish) => {
    const completion = fold(translate(anthropicSSE([...text(), ...end(stop)])))
    expect(completion.choices[0]!.finish_reason).toBe(finish)
    expect(completion.choices[0]!.message.content).toBe('Hello')
  })

  test('usage: input plus cache tokens are prompt tokens, cache reads are cached tokens, thinking tokens are reasoning tokens', () => {
    const body = anthropicSSE([
      messageStart('msg_1', {
        usage: { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 1 },
      }),
      ...end('end_turn', { output_tokens: 42, output_tokens_details: { thinking_tokens: 30 } }),
    ])
    expect(fold(translate(body)).usage).toEqual({
      prompt_tokens: 1110,
      completion_tokens: 42,
      total_tokens: 1152,
      prompt_tokens_details: { cached_tokens: 1000 },
      completion_tokens_details: { reasoning_tokens: 30 },
    })
  })

  test('id, model and created are on every chunk; the role chunk comes first', () => {
    const chunks = translate(anthropicSSE([...text('msg_abc'), ...end('end_turn')]))
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant' })
    for (const chunk of chunks)
      expect([chunk.id, chunk.model, chunk.created, chunk.object]).toEqual(['msg_abc', 'claude-test', CREATED, 'chat.completion.chunk'])
  })

  test('input_json_delta fragments are the arguments fragments of the tool call, with the tool_use id', () => {
    const chunks = translate(
      anthropicSSE([
        messageStart(),
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
        { type: 'content_block_stop', index: 0 },
        ...end('tool_use'),
      ]),
    )
    const fragments = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []))
    expect(fragments).toEqual([
      { index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"city": ' } },
      { index: 0, function: { arguments: '"Paris"}' } },
    ])
    const completion = fold(chunks)
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
    ])
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls')
  })

  test('a tool call without input fragments gets "{}" as arguments', () => {
    const completion = fold(
      translate(
        anthropicSSE([
          messageStart(),
          { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } },
          { type: 'content_block_stop', index: 0 },
          ...end('tool_use'),
        ]),
      ),
    )
    expect(completion.choices[0]!.message.tool_calls?.[0]).toEqual({
      id: 'toolu_1',
      type: 'function',
      function: { name: 'now', arguments: '{}' },
    })
  })

  test('thinking becomes reasoning_content, and a reasoning_details entry that keeps the signature', () => {
    const completion = fold(
      translate(
        anthropicSSE([
          messageStart(),
          { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think.' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig==' } },
          { type: 'content_block_stop', index: 0 },
          { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } },
          { type: 'content_block_stop', index: 1 },
          ...end('end_turn'),
        ]),
      ),
    )
    const message = completion.choices[0]!.message
    expect(message.reasoning_content).toBe('Let me think.')
    expect(message.reasoning_details).toEqual([
      { type: 'reasoning.text', text: 'Let me think.', index: 0, format: 'anthropic-claude-v1', signature: 'sig==' },
      { type: 'reasoning.encrypted', data: 'opaque', index: 1, format: 'anthropic-claude-v1' },
    ])
    expect(message.content).toBeNull()
  })

  test('server tool calls and their results are not client tool calls: they emit nothing', () => {
    const chunks = translate(
      anthropicSSE([
        messageStart(),
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
        },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
        },
        { type: 'content_block_stop', index: 1 },
        ...end('end_turn'),
      ]),
    )
    expect(fold(chunks).choices[0]!.message.tool_calls).toBeUndefined()
  })
})

describe('errors', () => {
  test('event: error throws a ProviderError', () => {
    const body =
      anthropicSSE(text()) + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    let error: unknown
    try {
      translate(body)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toEqual({ type: 'overloaded_error', message: 'Overloaded' })
    expect((error as ProviderError).eventNumber).toBe(6)
  })

  test('a stream cut before message_stop: end() throws unexpected_eof', () => {
    expect(() => translate(anthropicSSE(text()))).toThrow(expect.objectContaining({ code: 'unexpected_eof' }))
  })

  test('no message at all: end() throws empty_stream', () => {
    expect(() => translate('event: ping\ndata: {"type":"ping"}\n\n')).toThrow(expect.objectContaining({ code: 'empty_stream' }))
  })

  test('a repeated message_start of the open message is ignored; another message is unexpected_event', () => {
    const repeated = fold(translate(anthropicSSE([messageStart('msg_1'), ...text('msg_1'), ...end('end_turn')])))
    expect(repeated.choices[0]!.message.content).toBe('Hello')
    let error: unknown
    try {
      translate(anthropicSSE([...text('msg_1'), messageStart('msg_2')]))
    } catch (e) {
      error = e
    }
    expect(isDeltafoldError(error) && error.code).toBe('unexpected_event')
  })

  test.each([
    [
      'a delta for a block that never started',
      { type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text: 'x' } },
      'invalid_index',
    ],
    [
      'an index of "__proto__"',
      { type: 'content_block_delta', index: '__proto__', delta: { type: 'text_delta', text: 'x' } },
      'invalid_index',
    ],
    ['a block start out of order', { type: 'content_block_start', index: 5, content_block: { type: 'text', text: '' } }, 'invalid_index'],
    [
      'a delta after the block stopped',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } },
      'unexpected_event',
    ],
    [
      'an input_json_delta for a text block',
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{' } },
      'unexpected_event',
    ],
  ])('%s is a typed error', (_what, event, code) => {
    expect(() => translate(anthropicSSE([...text(), event]))).toThrow(expect.objectContaining({ code }))
  })
})
