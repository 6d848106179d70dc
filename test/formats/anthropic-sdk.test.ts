// Oracle test: for every recorded Anthropic Messages stream in test/fixtures/formats/anthropic, the
// Message deltafold folds (at random splits of the bytes) equals what @anthropic-ai/sdk's
// MessageStream.finalMessage() builds from the same bytes, served through a fake `fetch`. The SDK
// version is the one pinned in test/package.json.
import Anthropic from '@anthropic-ai/sdk'
import { accumulateAnthropicMessage, isDeltafoldError, ProviderError, type AnthropicMessage } from '@deltafold/core'
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'

const DIR = new URL('../fixtures/formats/anthropic/', import.meta.url)
const decoder = new TextDecoder()

interface Fixture {
  name: string
  bytes: Uint8Array
  expected: unknown
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.sse'))
  .sort()
  .map((file) => {
    let expected: unknown
    try {
      expected = JSON.parse(readFileSync(new URL(file.replace(/\.sse$/, '.expected.json'), DIR), 'utf8'))
    } catch {
      expected = undefined
    }
    return { name: file, bytes: new Uint8Array(readFileSync(new URL(file, DIR))), expected }
  })

/** The two streams the SDK (rightly or not) refuses: tested on their own below. */
const REJECTED_BY_SDK = new Set(['vercel-ai-inline-overloaded-error-midstream.sse', 'vercel-ai-spliced-message-start.sse'])

/**
 * Streams whose Message the SDK's non-beta `messages.stream()` builds differently from its beta
 * `beta.messages.stream()`, because they carry beta fields only the beta stream folds: compaction
 * blocks, `fallback` blocks (model relabel), `mcp_tool_use` input, `context_management`, usage
 * `iterations`/`fallback_credit`. deltafold folds them as the beta stream does.
 */
const BETA_ONLY = new Set([
  'anthropic-sdk-python-compaction.sse',
  'anthropic-sdk-python-fallback.sse',
  'anthropic-sdk-typescript-fable-stream-a-refusal.sse',
  'anthropic-sdk-typescript-fable-stream-b-fallback.sse',
  'pydantic-ai-anthropic-advisor-tool-stream.sse',
  'pydantic-ai-anthropic-mcp-servers-stream.sse',
  'vercel-ai-anthropic-advisor-20250301-1.sse',
  'vercel-ai-anthropic-clear-thinking-1.sse',
  'vercel-ai-anthropic-clear-tool-uses-1.sse',
  'vercel-ai-anthropic-combined-context-editing-1.sse',
  'vercel-ai-anthropic-fallback.sse',
])

/** Plain JSON, as a server would serialize it (drops `undefined` fields the SDK assigns). */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

/**
 * The SDK's final Message for `bytes`. The SDK's SSE reader drops an event left unterminated at the
 * end of the body (the five anthropic-sdk-python fixtures end that way), so it is given the bytes with
 * the blank line added; `parsed_output` (the SDK's structured-output helper field) is removed.
 */
async function sdkMessage(bytes: Uint8Array, beta: boolean): Promise<unknown> {
  const text = decoder.decode(bytes)
  const body = /\n\n$/.test(text) ? bytes : new TextEncoder().encode(text.replace(/\n?$/, '\n\n'))
  const client = new Anthropic({
    apiKey: 'test',
    maxRetries: 0,
    fetch: async () => new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'text/event-stream' } }),
  })
  const params = { model: 'claude-test', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] }
  const stream = beta ? client.beta.messages.stream(params) : client.messages.stream(params)
  const message = (await stream.finalMessage()) as unknown as Record<string, unknown>
  delete message.parsed_output
  return json(message)
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, inside the input). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts)].filter((n) => n > 0 && n < bytes.length).sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let start = 0
  for (const end of [...at, bytes.length]) {
    pieces.push(bytes.subarray(start, end))
    start = end
  }
  return pieces
}

/** Every key of `expected` matches in `actual`; arrays match in length and element by element; `null` means absent or null. */
function expectDeepPartial(actual: unknown, expected: unknown, path = '$'): void {
  if (expected === null) {
    expect(actual ?? null, path).toBeNull()
    return
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true)
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length)
    for (const [i, item] of expected.entries()) expectDeepPartial((actual as unknown[])[i], item, `${path}[${i}]`)
    return
  }
  if (typeof expected === 'object') {
    expect(typeof actual, path).toBe('object')
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      expectDeepPartial((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
    }
    return
  }
  expect(actual, path).toEqual(expected)
}

test('the fixtures are the recorded Anthropic streams, 65 of them, 13 with an expected Message', () => {
  expect(fixtures.length).toBe(65)
  expect(fixtures.filter((f) => f.expected !== undefined).length).toBe(13)
})

describe.each(fixtures.filter((f) => !REJECTED_BY_SDK.has(f.name)).map((f) => [f.name, f] as const))('%s', (name, fixture) => {
  test('folds at random splits to the Message the SDK beta MessageStream builds', async () => {
    const expected = await sdkMessage(fixture.bytes, true)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: fixture.bytes.length }), { maxLength: 12 }), async (cuts) => {
        expect(json(await accumulateAnthropicMessage(split(fixture.bytes, cuts)))).toEqual(expected)
      }),
      { seed: 15, numRuns: 6 },
    )
    // One byte at a time: every boundary at once.
    expect(json(await accumulateAnthropicMessage(split(fixture.bytes, [...fixture.bytes.keys()])))).toEqual(expected)
  })

  test(
    BETA_ONLY.has(name) ? 'differs from the non-beta MessageStream only by beta fields' : 'equals the non-beta MessageStream too',
    async () => {
      const ours = json(await accumulateAnthropicMessage(fixture.bytes))
      if (BETA_ONLY.has(name)) expect(ours).not.toEqual(await sdkMessage(fixture.bytes, false))
      else expect(ours).toEqual(await sdkMessage(fixture.bytes, false))
    },
  )

  if (fixture.expected !== undefined) {
    test('matches the Message its source test asserts (.expected.json)', async () => {
      expectDeepPartial(json(await accumulateAnthropicMessage(fixture.bytes)), fixture.expected)
    })
  }

  test('cut just before message_stop, rejects unexpected_eof with a partial holding every block', async () => {
    const text = decoder.decode(fixture.bytes)
    const at = text.search(/(?:event: message_stop\n)?data: ?\{"type":\s*"message_stop"/)
    expect(at).toBeGreaterThan(0)
    const cut = new TextEncoder().encode(text.slice(0, at))
    const error = await accumulateAnthropicMessage(cut).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isDeltafoldError(error) && error.code).toBe('unexpected_eof')
    // Everything but message_stop arrived: the partial is the whole message.
    expect(json((error as { partial: AnthropicMessage }).partial)).toEqual(await sdkMessage(fixture.bytes, true))
  })
})

describe('where deltafold and the SDK part ways', () => {
  const byName = (name: string) => fixtures.find((f) => f.name === name)!

  test('a duplicated message_start for the same message: the SDK rejects it, deltafold ignores it', async () => {
    const fixture = byName('llm-anthropic-prompt-text.sse')
    const text = decoder.decode(fixture.bytes)
    const start = text.match(/event: message_start\ndata: .*\n\n/)![0]
    const duplicated = text.replace(start, start + start)
    await expect(sdkMessage(new TextEncoder().encode(duplicated), true)).rejects.toThrow(/Unexpected event order/)
    expect(json(await accumulateAnthropicMessage(duplicated))).toEqual(await sdkMessage(fixture.bytes, true))
  })

  test('a different message starting while one is open: unexpected_event whose partial is the first message', async () => {
    const fixture = byName('vercel-ai-spliced-message-start.sse')
    await expect(sdkMessage(fixture.bytes, true)).rejects.toThrow(/Unexpected event order/)
    const error = await accumulateAnthropicMessage(fixture.bytes).catch((e: unknown) => e)
    expect(isDeltafoldError(error) && error.code).toBe('unexpected_event')
    expect((error as { eventNumber: number }).eventNumber).toBe(8)
    const partial = json((error as { partial: AnthropicMessage }).partial) as AnthropicMessage
    expect(partial.id).toBe('msg_first')
    expect(partial.content).toEqual([
      { type: 'thinking', thinking: 'I will call the tool.', signature: 'sig-first' },
      { type: 'tool_use', id: 'toolu_first', name: 'test-tool', input: { value: 'Spark' } },
    ])
  })

  test('event: error mid-stream: both reject with the overloaded error; deltafold keeps the text before it', async () => {
    const fixture = byName('vercel-ai-inline-overloaded-error-midstream.sse')
    await expect(sdkMessage(fixture.bytes, true)).rejects.toThrow(/Overloaded/)
    const error = await accumulateAnthropicMessage(fixture.bytes).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).code).toBe('upstream_error')
    expect((error as ProviderError).error).toEqual({ details: null, type: 'overloaded_error', message: 'Overloaded' })
    // The events before it have no `event:` line: the SDK drops them, deltafold reads them by their data's type.
    const partial = (error as ProviderError<AnthropicMessage>).partial!
    expect(partial.id).toBe('msg_01KfpJoAEabmH2iHRRFjQMAG')
    expect(partial.content).toEqual([{ type: 'text', text: 'Hello' }])
  })
})
