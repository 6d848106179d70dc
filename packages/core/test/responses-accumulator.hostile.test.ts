import { describe, expect, test } from 'vitest'
import { accumulateResponse, createResponseAccumulator, isDeltafoldError, type Response, type ResponseLimits } from '@deltafold/core'
import { sse } from './responses-helpers.js'

const base = { id: 'resp_1', object: 'response', created_at: 7, model: 'gpt-test', output: [], error: null, incomplete_details: null }
const created = { type: 'response.created', response: { ...base, status: 'in_progress' } }
const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] }
const call = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '' }
const added = (i: unknown, item: unknown) => ({ type: 'response.output_item.added', output_index: i, item })
const part = {
  type: 'response.content_part.added',
  output_index: 0,
  content_index: 0,
  item_id: 'msg_1',
  part: { type: 'output_text', text: '', annotations: [] },
}
const text = (delta: unknown, i: unknown = 0, c: unknown = 0) => ({
  type: 'response.output_text.delta',
  output_index: i,
  content_index: c,
  item_id: 'msg_1',
  delta,
})

/** Pushes events to a fresh accumulator; returns the error thrown (failing when none). */
function failure(
  events: unknown[],
  limits?: ResponseLimits,
): Error & { code: string; eventNumber?: number; path?: string; partial?: Response } {
  const acc = createResponseAccumulator(limits ? { limits } : {})
  try {
    for (const e of events) acc.push(e as object)
    acc.finish()
  } catch (error) {
    expect(isDeltafoldError(error)).toBe(true)
    return error as never
  }
  throw new Error('expected the fold to throw')
}

describe('limits', () => {
  test('maxBytes: an oversized delta is limit_exceeded, and partial holds the text before it', () => {
    const e = failure([created, added(0, message), part, text('a'.repeat(50)), text('b'.repeat(2000))], { maxBytes: 1500 })
    expect([e.code, e.eventNumber]).toEqual(['limit_exceeded', 5])
    expect((e.partial!.output[0] as { content: Array<{ text: string }> }).content[0]!.text).toBe('a'.repeat(50))
  })

  test('maxBytes: many small deltas add up', () => {
    const deltas = Array.from({ length: 200 }, () => text('x'.repeat(10)))
    const e = failure([created, added(0, message), part, ...deltas], { maxBytes: 1000 })
    expect(e.code).toBe('limit_exceeded')
    expect((e.partial!.output[0] as { content: Array<{ text: string }> }).content[0]!.text.length).toBeLessThan(1000)
  })

  test('maxEventBytes: one huge SSE event is event_too_large with partial', async () => {
    const body = sse([created, added(0, message), part]) + `data: ${JSON.stringify(text('z'.repeat(5000)))}\n\n`
    const error = (await accumulateResponse(body, { maxEventBytes: 1024 }).catch((e: unknown) => e)) as { code: string; partial: Response }
    expect(error.code).toBe('event_too_large')
    expect(error.partial.output).toEqual([{ ...message, content: [{ type: 'output_text', text: '', annotations: [] }] }])
  })

  test('maxOutputItems: an output_index at the limit is invalid_index', () => {
    const e = failure([created, added(3, message)], { maxOutputItems: 3 })
    expect([e.code, e.path]).toEqual(['invalid_index', '$.output_index'])
  })

  test('maxParts: a content_index at the limit is invalid_index', () => {
    const e = failure([created, added(0, message), { ...part, content_index: 8 }], { maxParts: 8 })
    expect([e.code, e.path]).toEqual(['invalid_index', '$.content_index'])
  })

  test('maxDepth: an item nested deeper than the limit is max_depth', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 20; i++) deep = { d: deep }
    const e = failure([created, added(0, { ...message, extra: deep })], { maxDepth: 10 })
    expect(e.code).toBe('max_depth')
    expect(e.eventNumber).toBe(2)
  })

  test('the default depth limit stops a 100,000-deep item without a stack overflow', async () => {
    const item = `{"type":"message","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const body = `data: ${JSON.stringify(created)}\n\ndata: {"type":"response.output_item.added","output_index":0,"item":${item}}\n\n`
    const error = (await accumulateResponse(body).catch((e: unknown) => e)) as { code: string }
    expect(error.code).toBe('max_depth')
  })

  test.each([
    ['maxBytes', 0],
    ['maxOutputItems', -1],
    ['maxDepth', Number.NaN],
  ])('limits.%s = %s is a TypeError that says what to pass', (name, value) => {
    expect(() => createResponseAccumulator({ limits: { [name]: value } })).toThrow(TypeError)
  })
})

describe('bad indices', () => {
  test.each([[-1], [1.5], ['0'], [null], [2 ** 53], ['__proto__']])('output_index %j is invalid_index', (index) => {
    const e = failure([created, added(index, message)])
    expect([e.code, e.eventNumber, e.path]).toEqual(['invalid_index', 2, '$.output_index'])
  })

  test.each([[-1], ['1'], [0.5]])('content_index %j on a text delta is invalid_index', (index) => {
    const e = failure([created, added(0, message), part, text('a', 0, index)])
    expect([e.code, e.path]).toEqual(['invalid_index', '$.content_index'])
  })

  test('a delta whose type is not a string is invalid_type', () => {
    const e = failure([created, added(0, message), part, text(5)])
    expect([e.code, e.path]).toEqual(['invalid_type', '$.delta'])
  })

  test('an item without a string type is invalid_type', () => {
    expect(failure([created, added(0, { id: 'x' })]).code).toBe('invalid_type')
  })
})

describe('out-of-order events', () => {
  test('a text delta for an item never added is unexpected_event with partial', () => {
    const e = failure([created, added(0, message), part, text('kept'), text('x', 1)])
    expect([e.code, e.eventNumber, e.path]).toEqual(['unexpected_event', 5, '$.output_index'])
    expect((e.partial!.output[0] as { content: Array<{ text: string }> }).content[0]!.text).toBe('kept')
  })

  test('a text delta for a content part never added is unexpected_event', () => {
    const e = failure([created, added(0, message), text('x')])
    expect([e.code, e.path]).toEqual(['unexpected_event', '$.content_index'])
  })

  test('arguments for an item that is not a function call are unexpected_event', () => {
    const e = failure([
      created,
      added(0, message),
      { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'x', delta: '{' },
    ])
    expect(e.code).toBe('unexpected_event')
    expect(e.message).toContain('"message"')
  })

  test('a text delta for a refusal part is unexpected_event', () => {
    const e = failure([created, added(0, message), { ...part, part: { type: 'refusal', refusal: '' } }, text('x')])
    expect(e.code).toBe('unexpected_event')
  })

  test('an item added twice at the same output_index is unexpected_event', () => {
    const e = failure([created, added(0, call), added(0, message)])
    expect([e.code, e.eventNumber]).toEqual(['unexpected_event', 3])
  })

  test('a summary delta before its summary part is unexpected_event', () => {
    const e = failure([
      created,
      added(0, { type: 'reasoning', id: 'rs', summary: [] }),
      { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, item_id: 'rs', delta: 'a' },
    ])
    expect(e.code).toBe('unexpected_event')
  })

  test('after the first error every push and finish throw the same error', () => {
    const acc = createResponseAccumulator()
    acc.push(created)
    let first: unknown
    try {
      acc.push(text('x', 9))
    } catch (error) {
      first = error
    }
    expect(() => acc.push(added(0, message))).toThrow(first as Error)
    expect(() => acc.finish()).toThrow(first as Error)
  })
})

describe('__proto__ keys', () => {
  test('an item holding __proto__ keeps it as data and pollutes nothing', async () => {
    const body =
      `data: ${JSON.stringify(created)}\n\n` +
      `data: {"type":"response.output_item.added","output_index":0,"item":{"type":"web_search_call","id":"ws","__proto__":{"polluted":true},"action":{"__proto__":{"polluted":true}}}}\n\n` +
      `data: {"type":"response.completed","__proto__":{"polluted":true},"response":{"id":"resp_1","object":"response","created_at":7,"model":"m","status":"completed","output":[],"error":null,"incomplete_details":null,"__proto__":{"polluted":true}}}\n\n`
    const response = await accumulateResponse(body)
    const item = response.output[0] as unknown as Record<string, unknown>
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(response)).toBe(Object.prototype)
    expect((item as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(item, '__proto__')?.value).toEqual({ polluted: true })
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(JSON.stringify(item)).toContain('"__proto__":{"polluted":true}')
  })

  test('a snapshot copies __proto__ keys as data', () => {
    const acc = createResponseAccumulator()
    acc.push(created)
    acc.push(added(0, JSON.parse('{"type":"message","id":"m","role":"assistant","status":"in_progress","content":[],"__proto__":{"x":1}}')))
    const item = acc.snapshot().output[0] as unknown as Record<string, unknown>
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype)
    expect(Object.keys(item)).toContain('__proto__')
  })
})
