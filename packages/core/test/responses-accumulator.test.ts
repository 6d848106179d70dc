import { describe, expect, test } from 'vitest'
import {
  accumulateResponse,
  createResponseAccumulator,
  isDeltafoldError,
  ProviderError,
  streamResponse,
  type Response,
  type ResponseStreamEvent,
} from '@deltafold/core'
import { sse } from './responses-helpers.js'

const base = { id: 'resp_1', object: 'response', created_at: 7, model: 'gpt-test', output: [], error: null, incomplete_details: null }
const created = { type: 'response.created', response: { ...base, status: 'in_progress' } }
const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] }
const call = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '', status: 'in_progress' }
const textPart = { type: 'output_text', text: '', annotations: [] }
const completed = (output: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'response.completed',
  response: { ...base, status: 'completed', output, ...extra },
})
const added = (i: number, item: unknown) => ({ type: 'response.output_item.added', output_index: i, item })
const part = (i: number, c: number, p: unknown) => ({
  type: 'response.content_part.added',
  output_index: i,
  content_index: c,
  item_id: 'x',
  part: p,
})
const text = (i: number, c: number, delta: string, itemId = 'msg_1') => ({
  type: 'response.output_text.delta',
  output_index: i,
  content_index: c,
  item_id: itemId,
  delta,
})
const args = (i: number, delta: string, itemId = 'fc_1') => ({
  type: 'response.function_call_arguments.delta',
  output_index: i,
  item_id: itemId,
  delta,
})

function fold(events: unknown[]): { response?: Response; error?: unknown; snapshot: Response; events: ResponseStreamEvent[] } {
  const seen: ResponseStreamEvent[] = []
  const acc = createResponseAccumulator({ onEvent: (e) => seen.push(e) })
  try {
    for (const e of events) acc.push(e as object)
    return { response: acc.finish(), snapshot: acc.snapshot(), events: seen }
  } catch (error) {
    return { error, snapshot: acc.snapshot(), events: seen }
  }
}

describe('createResponseAccumulator', () => {
  test('snapshot shows the text folded so far at every delta', () => {
    const acc = createResponseAccumulator()
    acc.push(created)
    acc.push(added(0, message))
    acc.push(part(0, 0, textPart))
    const texts: string[] = []
    for (const d of ['Hel', 'lo', ' world']) {
      acc.push(text(0, 0, d))
      texts.push((acc.snapshot().output[0] as { content: Array<{ text: string }> }).content[0]!.text)
    }
    expect(texts).toEqual(['Hel', 'Hello', 'Hello world'])
    expect(acc.snapshot()).toMatchObject({ id: 'resp_1', status: 'in_progress', model: 'gpt-test' })
  })

  test('matches deltas to items by output_index when the gateway rotates item ids', () => {
    const { snapshot } = fold([created, added(0, call), args(0, '{"city":', 'fc_a'), args(0, '"Paris"}', 'fc_b')])
    expect((snapshot.output[0] as { arguments: string }).arguments).toBe('{"city":"Paris"}')
  })

  test('folds refusals, reasoning summaries, raw reasoning text and custom tool input', () => {
    const reasoning = { type: 'reasoning', id: 'rs_1', summary: [] }
    const custom = { type: 'custom_tool_call', id: 'ct_1', call_id: 'call_c', name: 'sql', input: '' }
    const { snapshot } = fold([
      created,
      added(0, reasoning),
      {
        type: 'response.reasoning_summary_part.added',
        output_index: 0,
        summary_index: 0,
        item_id: 'rs_1',
        part: { type: 'summary_text', text: '' },
      },
      { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, item_id: 'rs_1', delta: 'Think' },
      { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, item_id: 'rs_1', delta: 'ing' },
      part(0, 0, { type: 'reasoning_text', text: '' }),
      { type: 'response.reasoning_text.delta', output_index: 0, content_index: 0, item_id: 'rs_1', delta: 'raw' },
      added(1, message),
      part(1, 0, { type: 'refusal', refusal: '' }),
      { type: 'response.refusal.delta', output_index: 1, content_index: 0, item_id: 'msg_1', delta: 'I can' },
      { type: 'response.refusal.delta', output_index: 1, content_index: 0, item_id: 'msg_1', delta: "'t." },
      added(2, custom),
      { type: 'response.custom_tool_call_input.delta', output_index: 2, item_id: 'ct_1', delta: 'SELECT ' },
      { type: 'response.custom_tool_call_input.delta', output_index: 2, item_id: 'ct_1', delta: '1' },
    ])
    expect(snapshot.output).toEqual([
      { ...reasoning, summary: [{ type: 'summary_text', text: 'Thinking' }], content: [{ type: 'reasoning_text', text: 'raw' }] },
      { ...message, content: [{ type: 'refusal', refusal: "I can't." }] },
      { ...custom, input: 'SELECT 1' },
    ])
  })

  test('the terminal response is the result, and the .done events replace the streamed texts', () => {
    const final = completed([{ ...message, status: 'completed', content: [{ ...textPart, text: 'Hi!' }] }], {
      usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
    })
    const { response } = fold([created, added(0, message), part(0, 0, textPart), text(0, 0, 'Hi'), final])
    expect(response).toEqual(final.response)
  })

  test('a terminal response with an empty output keeps the folded items', () => {
    const { response } = fold([created, added(0, call), args(0, '{}'), completed([])])
    expect(response!.output).toEqual([{ ...call, arguments: '{}' }])
    expect(response!.status).toBe('completed')
  })

  test('hands every event to onEvent in wire order, as it arrived', () => {
    const events = [
      created,
      added(0, message),
      part(0, 0, textPart),
      text(0, 0, 'a'),
      { type: 'response.some_future_event', x: 1 },
      completed([]),
    ]
    expect(fold(events).events).toEqual(events)
  })

  test('events after the terminal event are ignored', () => {
    const { response, events } = fold([created, completed([]), added(0, message)])
    expect(response!.output).toEqual([])
    expect(events).toHaveLength(2)
  })

  test('progress events set the status of the item they name', () => {
    const search = { type: 'web_search_call', id: 'ws_1', status: 'in_progress' }
    const { snapshot } = fold([created, added(0, search), { type: 'response.web_search_call.searching', output_index: 0, item_id: 'ws_1' }])
    expect(snapshot.output[0]).toEqual({ ...search, status: 'searching' })
  })

  test('folds streamed code, MCP arguments, apply_patch diffs and shell commands into their items', () => {
    const { snapshot } = fold([
      created,
      added(0, { type: 'code_interpreter_call', id: 'ci', code: '' }),
      { type: 'response.code_interpreter_call_code.delta', output_index: 0, item_id: 'ci', delta: 'print(' },
      { type: 'response.code_interpreter_call_code.delta', output_index: 0, item_id: 'ci', delta: '1)' },
      added(1, { type: 'mcp_call', id: 'mcp', arguments: '' }),
      { type: 'response.mcp_call_arguments.delta', output_index: 1, item_id: 'mcp', delta: '{}' },
      added(2, { type: 'apply_patch_call', id: 'ap', operation: { type: 'create_file', diff: '', path: 'a.md' } }),
      { type: 'response.apply_patch_call_operation_diff.delta', output_index: 2, item_id: 'ap', delta: '+x' },
      added(3, { type: 'shell_call', id: 'sh', action: { commands: [] } }),
      { type: 'response.shell_call_command.added', output_index: 3, command_index: 0, command: '' },
      { type: 'response.shell_call_command.delta', output_index: 3, command_index: 0, delta: 'ls' },
      { type: 'response.shell_call_command.delta', output_index: 3, command_index: 0, delta: ' -l' },
    ])
    expect(snapshot.output).toEqual([
      { type: 'code_interpreter_call', id: 'ci', code: 'print(1)' },
      { type: 'mcp_call', id: 'mcp', arguments: '{}' },
      { type: 'apply_patch_call', id: 'ap', operation: { type: 'create_file', diff: '+x', path: 'a.md' } },
      { type: 'shell_call', id: 'sh', action: { commands: ['ls -l'] } },
    ])
  })

  test('parseArguments: each arguments delta event carries the arguments parsed so far', () => {
    const partials: unknown[] = []
    const acc = createResponseAccumulator({
      parseArguments: true,
      onEvent: (e) => {
        if (e.type === 'response.function_call_arguments.delta') partials.push(structuredClone(e.partial))
      },
    })
    for (const e of [created, added(0, call), args(0, '{"city":"Pa'), args(0, 'ris","days":'), args(0, '3}')]) acc.push(e)
    expect(partials).toEqual([{ city: 'Pa' }, { city: 'Paris' }, { city: 'Paris', days: 3 }])
  })

  test('parseArguments: arguments that stop being JSON give no partial value and keep their text', () => {
    const partials: unknown[] = []
    const acc = createResponseAccumulator({
      parseArguments: true,
      onEvent: (e) => e.type === 'response.function_call_arguments.delta' && partials.push(e.partial),
    })
    for (const e of [created, added(0, call), args(0, '{"a":1,'), args(0, ']'), args(0, '}')]) acc.push(e)
    expect(partials).toEqual([{ a: 1 }, undefined, undefined])
    expect((acc.snapshot().output[0] as { arguments: string }).arguments).toBe('{"a":1,]}')
  })

  test('finish without a terminal event throws unexpected_eof with everything received as partial', () => {
    const { error } = fold([created, added(0, call), args(0, '{"a"')])
    expect(isDeltafoldError(error) && error.code).toBe('unexpected_eof')
    expect((error as { partial: Response }).partial.output).toEqual([{ ...call, arguments: '{"a"' }])
  })

  test('response.failed throws a ProviderError whose partial is the failed response', () => {
    const failed = { type: 'response.failed', response: { ...base, status: 'failed', error: { code: 'server_error', message: 'boom' } } }
    const { error } = fold([created, added(0, message), failed])
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toEqual({ code: 'server_error', message: 'boom' })
    expect((error as ProviderError).message).toContain('boom')
    expect((error as ProviderError).partial).toMatchObject({ status: 'failed', output: [message] })
  })

  test.each([
    [
      'flat',
      { type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null },
      { type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null },
    ],
    [
      'nested',
      { type: 'error', error: { type: 'insufficient_quota', message: 'No quota' } },
      { type: 'insufficient_quota', message: 'No quota' },
    ],
  ])('an error event (%s) throws a ProviderError with partial', (_kind, event, expected) => {
    const { error } = fold([created, added(0, message), event])
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toEqual(expected)
    expect((error as ProviderError).eventNumber).toBe(3)
    expect((error as ProviderError).partial).toMatchObject({ id: 'resp_1', output: [message] })
  })
})

describe('accumulateResponse and streamResponse', () => {
  const body = sse([
    created,
    added(0, message),
    part(0, 0, textPart),
    text(0, 0, 'Hi'),
    completed([{ ...message, content: [{ ...textPart, text: 'Hi' }] }]),
  ])

  test('streamResponse yields the events in order and finalResponse resolves', async () => {
    const stream = streamResponse([body])
    const types: string[] = []
    for await (const e of stream) types.push(e.type)
    expect(types).toEqual([
      'response.created',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.completed',
    ])
    expect((await stream.finalResponse()).status).toBe('completed')
  })

  test('breaking out of the loop rejects finalResponse with aborted and partial', async () => {
    const stream = streamResponse([body])
    for await (const e of stream) if (e.type === 'response.output_text.delta') break
    const error = await stream.finalResponse().catch((e: unknown) => e)
    expect(isDeltafoldError(error) && error.code).toBe('aborted')
    expect(((error as { partial: Response }).partial.output[0] as { content: Array<{ text: string }> }).content[0]!.text).toBe('Hi')
  })

  test('bytes after the terminal event are not read', async () => {
    let pulled = 0
    async function* source() {
      pulled++
      yield body
      pulled++
      yield 'data: {oops}\n\n'
    }
    expect((await accumulateResponse(source())).status).toBe('completed')
    expect(pulled).toBe(1)
  })

  test('data: [DONE] ends the stream, and a stream cut before its terminal event rejects unexpected_eof', async () => {
    const error = await accumulateResponse(sse([created, added(0, message)]) + 'data: [DONE]\n\n' + sse([completed([])])).catch(
      (e: unknown) => e,
    )
    expect(isDeltafoldError(error) && [error.code, error.eventNumber]).toEqual(['unexpected_eof', 2])
  })

  test('an abort rejects with the signal reason carrying partial', async () => {
    const controller = new AbortController()
    async function* source() {
      yield sse([created])
      controller.abort(new Error('stop'))
      yield sse([completed([])])
    }
    const error = await accumulateResponse(source(), { signal: controller.signal }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('stop')
    expect((error as { partial: Response }).partial.id).toBe('resp_1')
  })

  test.each([
    ['an Anthropic stream', 'event: message_start\ndata: {"type":"message_start","message":{}}\n\n', 'unsupported_format'],
    ['a chat.completion stream', 'data: {"id":"c","object":"chat.completion.chunk","choices":[]}\n\n', 'unsupported_format'],
    ['no events', ': keep-alive\n\n', 'empty_stream'],
    ['invalid JSON', 'data: {"type":\n\n', 'invalid_json'],
    ['a non-object payload', 'data: [1]\n\n', 'invalid_chunk'],
  ])('%s is rejected %s', async (_what, input, code) => {
    const error = await accumulateResponse(input).catch((e: unknown) => e)
    expect(isDeltafoldError(error) && error.code).toBe(code)
  })

  test('event: error with a text payload is a ProviderError holding the text', async () => {
    const error = await accumulateResponse(sse([created]) + 'event: error\ndata: upstream overloaded\n\n').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).error).toBe('upstream overloaded')
    expect((error as ProviderError).partial).toMatchObject({ id: 'resp_1' })
  })

  test('a payload without type takes the SSE event name', async () => {
    const response = await accumulateResponse(
      `event: response.completed\ndata: ${JSON.stringify({ response: { ...base, status: 'completed' } })}\n\n`,
    )
    expect(response.status).toBe('completed')
  })
})
