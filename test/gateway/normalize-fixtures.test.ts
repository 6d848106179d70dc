import fc from 'fast-check'
import OpenAI from 'openai'
import { describe, expect, test } from 'vitest'
import { isDeltafoldError, ProviderError, type ChatCompletion } from '@deltafold/core'
import { canonical, fold, normalizeText, payloads, recordedFixtures, splitAt } from './helpers.js'

const fixtures = recordedFixtures()

/**
 * The fields of a completion the `openai` package folds faithfully: it overwrites provider extras,
 * keeps only the last reasoning fragment, and skips empty content deltas (`if (content)`), so a
 * content of `""` is `null` there.
 */
function openaiView(completion: ChatCompletion): unknown {
  return {
    id: completion.id,
    object: completion.object,
    created: completion.created,
    model: completion.model,
    system_fingerprint: completion.system_fingerprint || undefined,
    usage: completion.usage,
    choices: completion.choices.map((choice) => ({
      index: choice.index,
      finish_reason: choice.finish_reason,
      message: {
        role: choice.message.role,
        content: choice.message.content === '' ? null : choice.message.content,
        refusal: choice.message.refusal ?? null,
        tool_calls: choice.message.tool_calls?.map((call) =>
          call.type === 'function'
            ? { id: call.id, type: call.type, function: { name: call.function.name, arguments: call.function.arguments } }
            : { id: call.id, type: call.type },
        ),
        function_call: choice.message.function_call ?? undefined,
      },
    })),
  }
}

/** openai's own ChatCompletionStream over `body`, served by a fake fetch. */
async function openaiFinal(body: string): Promise<ChatCompletion> {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  })
  const stream = client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
  return (await stream.finalChatCompletion()) as unknown as ChatCompletion
}

const offsets = (length: number) => fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 24 })

test('the project has recorded fixtures to normalize', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(40)
})

describe.each(fixtures)('%s', (_name, bytes) => {
  test('the normalized stream folds to the input fold, with the reasoning field and finish reasons made canonical', async () => {
    const input = await fold(bytes)
    const whole = normalizeText([bytes])
    const output = await fold(whole)
    if (input.error === undefined) {
      expect(output.error).toBeUndefined()
      expect(output.completion).toEqual(canonical(input.completion!))
      expect(payloads(whole).at(-1)).toBe('[DONE]')
    } else {
      // A provider error ends the output with an error event: the same error, after the same data.
      expect(input.error).toBeInstanceOf(ProviderError)
      expect(output.error).toBeInstanceOf(ProviderError)
      expect((output.error as ProviderError).error).toEqual((input.error as ProviderError).error)
      expect((output.error as ProviderError).partial).toEqual(
        canonical((input.error as ProviderError).partial as ChatCompletion, { finished: false }),
      )
      expect(JSON.parse(payloads(whole).at(-1)!)).toEqual({ error: (input.error as ProviderError).error })
    }
  })

  test('any split of the input gives the same output bytes', () => {
    const whole = normalizeText([bytes])
    fc.assert(
      fc.property(offsets(bytes.length), (cuts) => {
        expect(normalizeText(splitAt(bytes, cuts))).toBe(whole)
      }),
      { seed: 14, numRuns: 25 },
    )
  })

  test('normalizing the normalized stream returns the same bytes', () => {
    const once = normalizeText([bytes])
    expect(normalizeText([once])).toBe(once)
    const reasoning = normalizeText([bytes], { reasoningField: 'reasoning' })
    expect(normalizeText([reasoning], { reasoningField: 'reasoning' })).toBe(reasoning)
  })

  test('reasoningField reasoning writes the reasoning under reasoning only', async () => {
    const input = await fold(bytes)
    const output = await fold(normalizeText([bytes], { reasoningField: 'reasoning' }))
    if (input.error !== undefined) return expect(output.error).toBeInstanceOf(ProviderError)
    expect(output.completion).toEqual(canonical(input.completion!, { field: 'reasoning' }))
  })

  test('every chunk of the output is canonical: stable metadata, indexes, one header per tool call, usage last', async () => {
    const chunks = payloads(normalizeText([bytes]))
      .filter((p) => p !== '[DONE]')
      .map((p) => JSON.parse(p) as Record<string, any>)
      .filter((c) => c.error === undefined)
    const first = chunks[0]
    if (first === undefined) return
    const headers = new Map<string, number>()
    const finishes = new Map<number, number>()
    chunks.forEach((c, i) => {
      expect([c.id, c.object, c.created, c.model]).toEqual([first.id, 'chat.completion.chunk', first.created, first.model])
      expect(c.obfuscation).toBeUndefined()
      expect(c.p).toBeUndefined()
      if (c.usage !== undefined) expect([i, c.choices]).toEqual([chunks.length - 1, []])
      for (const choice of c.choices) {
        expect(typeof choice.index).toBe('number')
        expect(choice.delta).toBeTypeOf('object')
        expect(choice.delta.reasoning).toBeUndefined()
        if (choice.finish_reason !== null) finishes.set(choice.index, (finishes.get(choice.index) ?? 0) + 1)
        for (const call of choice.delta.tool_calls ?? []) {
          expect(typeof call.index).toBe('number')
          for (const field of ['id', 'type', 'name'] as const) {
            const present = field === 'name' ? call.function?.name !== undefined && call.function.name !== '' : call[field] !== undefined
            if (!present) continue
            const key = `${choice.index}/${call.index}/${field}`
            headers.set(key, (headers.get(key) ?? 0) + 1)
          }
        }
      }
    })
    for (const [key, count] of headers) expect([key, count]).toEqual([key, 1])
    for (const [index, count] of finishes) expect([index, count]).toEqual([index, 1])
  })

  test("openai's ChatCompletionStream folds the normalized stream to the same completion", async () => {
    const input = await fold(bytes)
    if (input.error !== undefined || input.completion!.choices.length === 0) return
    const normalized = normalizeText([bytes])
    const theirs = await openaiFinal(normalized)
    expect(openaiView(theirs)).toEqual(openaiView(canonical(input.completion!)))
  })
})

test('a provider error event is re-emitted as an OpenAI error event after the data before it', async () => {
  const body =
    'data: {"id":"c1","model":"m","created":5,"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n' +
    'event: error\ndata: {"error":{"message":"overloaded","type":"server_error"}}\n\n' +
    'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"lo"}}]}\n\n'
  const out = payloads(normalizeText([body]))
  expect(out).toEqual([
    '{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}',
    '{"error":{"message":"overloaded","type":"server_error"}}',
  ])
  const folded = await fold(out.map((p) => `data: ${p}\n\n`).join(''))
  expect(isDeltafoldError(folded.error) && folded.error.code).toBe('upstream_error')
})
