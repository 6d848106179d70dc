import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  accumulateResponse,
  createChatCompletionAccumulator,
  createResponseChatChunkTranslator,
  createSSEDecoder,
  isDeltafoldError,
  ProviderError,
  responseToChatCompletion,
  type ChatCompletion,
  type ChatCompletionChunk,
  type Response,
} from '@deltafold/core'
import { DIVERGENT, responsesFixtures, splitAt, sse } from './responses-helpers.js'

const SEED = 20_261_205
const fixtures = responsesFixtures()

/** Translates an SSE body (in the given pieces) to chunks; returns the chunks and any error. */
function translate(pieces: Uint8Array[] | string[]): { chunks: ChatCompletionChunk[]; error?: unknown } {
  const translator = createResponseChatChunkTranslator()
  const chunks: ChatCompletionChunk[] = []
  try {
    const decoder = createSSEDecoder(
      { onEvent: (e) => chunks.push(...translator.push(e, { eventNumber: decoder.eventCount, byteOffset: decoder.position() })) },
      { dispatchUnterminated: true },
    )
    for (const p of pieces) decoder.feed(p)
    decoder.end()
    chunks.push(...translator.end())
    return { chunks }
  } catch (error) {
    return { chunks, error }
  }
}

function fold(chunks: ChatCompletionChunk[]): ChatCompletion {
  const acc = createChatCompletionAccumulator({ strict: true })
  for (const c of chunks) acc.push(c)
  return acc.finish()
}

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  test('the translated chunks fold to responseToChatCompletion of the final response, at any split', async () => {
    let final: Response | undefined
    let failure: unknown
    try {
      final = await accumulateResponse(f.bytes)
    } catch (error) {
      failure = error
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: Math.max(1, f.bytes.length - 1) }), { maxLength: 16 }), async (cuts) => {
        const { chunks, error } = translate(splitAt(f.bytes, cuts))
        if (final === undefined) {
          // The same failure as the fold: same code, same event.
          expect(isDeltafoldError(error)).toBe(true)
          expect((error as ProviderError).code).toBe((failure as ProviderError).code)
          expect((error as ProviderError).eventNumber).toBe((failure as ProviderError).eventNumber)
          return
        }
        expect(error).toBeUndefined()
        const expected = responseToChatCompletion(final)
        if (f.name === DIVERGENT) {
          // Emitted text cannot be taken back: the chat content is what streamed, the rest is as mapped.
          const streamed = f.events
            .filter((e) => e?.type === 'response.output_text.delta')
            .map((e) => e!.delta as string)
            .join('')
          expect(streamed).toBe('The command ran successfully.')
          expected.choices[0]!.message.content = streamed
        }
        expect(fold(chunks)).toEqual(expected)
      }),
      { seed: SEED, numRuns: 4 },
    )
  })
})

const created = {
  type: 'response.created',
  response: {
    id: 'resp_1',
    object: 'response',
    created_at: 7,
    model: 'gpt-test',
    status: 'in_progress',
    output: [],
    error: null,
    incomplete_details: null,
  },
}
const completed = (output: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'response.completed',
  response: {
    id: 'resp_1',
    object: 'response',
    created_at: 7,
    model: 'gpt-test',
    status: 'completed',
    output,
    error: null,
    incomplete_details: null,
    ...extra,
  },
})

describe('responseToChatCompletion', () => {
  const usage = {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 4 },
    output_tokens: 20,
    output_tokens_details: { reasoning_tokens: 5 },
    total_tokens: 30,
  }
  const message = {
    type: 'message',
    id: 'm',
    role: 'assistant',
    status: 'completed',
    content: [
      { type: 'output_text', text: 'Hel', annotations: [] },
      { type: 'output_text', text: 'lo', annotations: [] },
    ],
  }
  const call = { type: 'function_call', id: 'fc', call_id: 'call_1', name: 'get', arguments: '{"a":1}', status: 'completed' }
  const custom = { type: 'custom_tool_call', id: 'ct', call_id: 'call_2', name: 'sql', input: 'SELECT 1' }
  const reasoning = {
    type: 'reasoning',
    id: 'rs',
    summary: [
      { type: 'summary_text', text: 'First' },
      { type: 'summary_text', text: 'Second' },
    ],
  }

  test('maps text, reasoning, tools, usage and ids', () => {
    const r = completed([reasoning, message, call, custom], { usage }).response as unknown as Response
    expect(responseToChatCompletion(r)).toEqual({
      id: 'resp_1',
      object: 'chat.completion',
      created: 7,
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          logprobs: null,
          message: {
            role: 'assistant',
            content: 'Hello',
            refusal: null,
            reasoning_content: 'First\n\nSecond',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } },
              { id: 'call_2', type: 'custom', custom: { name: 'sql', input: 'SELECT 1' } },
            ],
          },
        },
      ],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 20,
        total_tokens: 30,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 5 },
      },
    })
  })

  test.each([
    ['completed', null, 'stop'],
    ['incomplete', { reason: 'max_output_tokens' }, 'length'],
    ['incomplete', { reason: 'content_filter' }, 'content_filter'],
    ['in_progress', null, null],
  ])('status %s with %j finishes %s', (status, details, reason) => {
    const r = { ...(completed([message]).response as object), status, incomplete_details: details } as unknown as Response
    expect(responseToChatCompletion(r).choices[0]!.finish_reason).toBe(reason)
  })

  test('a refusal part becomes refusal, content stays null', () => {
    const r = completed([{ ...message, content: [{ type: 'refusal', refusal: 'No.' }] }]).response as unknown as Response
    expect(responseToChatCompletion(r).choices[0]!.message).toEqual({ role: 'assistant', content: null, refusal: 'No.' })
  })
})

describe('createResponseChatChunkTranslator', () => {
  test('streams function-call arguments fragment by fragment, the id being the call_id', () => {
    const body = sse([
      created,
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { type: 'function_call', id: 'fc_1', call_id: 'call_9', name: 'get', arguments: '' },
      },
      { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_rotated', delta: '{"a":' },
      { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_rotated_again', delta: '1}' },
    ])
    const { chunks, error } = translate([body])
    expect(isDeltafoldError(error) && error.code).toBe('unexpected_eof')
    expect(chunks.map((c) => c.choices[0]!.delta.tool_calls)).toEqual([
      [{ index: 0, id: 'call_9', type: 'function', function: { name: 'get', arguments: '' } }],
      [{ index: 0, function: { arguments: '{"a":' } }],
      [{ index: 0, function: { arguments: '1}' } }],
    ])
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant')
    expect(chunks.every((c) => c.id === 'resp_1' && c.model === 'gpt-test' && c.created === 7)).toBe(true)
  })

  test('emits text the terminal response holds beyond the deltas before the finish', () => {
    const msg = { type: 'message', id: 'm', role: 'assistant', status: 'in_progress', content: [] }
    const body = sse([
      created,
      { type: 'response.output_item.added', output_index: 0, item: msg },
      {
        type: 'response.content_part.added',
        output_index: 0,
        content_index: 0,
        item_id: 'm',
        part: { type: 'output_text', text: '', annotations: [] },
      },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'm', delta: 'Hel' },
      completed([{ ...msg, status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] }]),
    ])
    const { chunks, error } = translate([body])
    expect(error).toBeUndefined()
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(['Hel', 'lo', undefined])
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop')
  })

  test('a delta for an item never added is unexpected_event', () => {
    const { error } = translate([
      sse([created, { type: 'response.output_text.delta', output_index: 3, content_index: 0, item_id: 'x', delta: 'a' }]),
    ])
    expect(isDeltafoldError(error) && [error.code, error.eventNumber, error.path]).toEqual(['unexpected_event', 2, '$.output_index'])
  })

  test('response.failed is a ProviderError holding response.error', () => {
    const failed = {
      type: 'response.failed',
      response: { ...(created.response as object), status: 'failed', error: { code: 'server_error', message: 'boom' } },
    }
    const { error } = translate([sse([created, failed])])
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toEqual({ code: 'server_error', message: 'boom' })
  })

  test('events after the terminal one are ignored', () => {
    const { chunks, error } = translate([
      sse([created, completed([]), { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'x', delta: 'a' }]),
    ])
    expect(error).toBeUndefined()
    expect(chunks).toHaveLength(1)
  })
})
