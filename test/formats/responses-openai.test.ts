// Oracle: the `openai` package's ResponseStream (client.responses.stream(...).finalResponse()), fed each
// recorded Responses stream through a fake fetch, against deltafold's accumulateResponse on the same bytes.
import { readdirSync, readFileSync } from 'node:fs'
import OpenAI from 'openai'
import { describe, expect, test } from 'vitest'
import { accumulateResponse, isDeltafoldError, ProviderError, type Response } from '@deltafold/core'

const DIR = new URL('../fixtures/formats/responses/', import.meta.url)
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.sse'))
  .sort()

/** Fields the SDK adds to what the wire sent (`maybeParseResponse`): left out of the comparison. */
const SDK_ADDED = new Set(['output_text', 'output_parsed', 'parsed_arguments', 'parsed'])
const withoutSdkFields = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, v: unknown) => (SDK_ADDED.has(key) ? undefined : v)))

async function theirs(bytes: Uint8Array): Promise<{ response?: unknown; error?: unknown }> {
  const client = new OpenAI({
    apiKey: 'test',
    maxRetries: 0,
    fetch: async () => new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'text/event-stream' } }),
  })
  try {
    return { response: await client.responses.stream({ model: 'gpt-test', input: 'hi' }).finalResponse() }
  } catch (error) {
    return { error }
  }
}

async function ours(bytes: Uint8Array): Promise<{ response?: Response; error?: unknown }> {
  try {
    return { response: await accumulateResponse(bytes) }
  } catch (error) {
    return { error }
  }
}

/** The fixtures the SDK does not fold to their terminal response, and why (checked below, one by one). */
const NOT_ACCEPTED = new Set([
  'mirascope-gpt-4o-max-output-tokens-incomplete.sse',
  'vercel-ai-inline-failed-before-output.sse',
  'vercel-ai-inline-flat-error-event.sse',
  'vercel-ai-openai-error-1.sse',
  'vercel-ai-parallel-tool-call-wrapper-1.sse',
])

describe.each(files.filter((f) => !NOT_ACCEPTED.has(f)))('%s', (name) => {
  test('folds to what openai ResponseStream.finalResponse() builds, less the fields the SDK adds', async () => {
    const bytes = new Uint8Array(readFileSync(new URL(name, DIR)))
    const [a, b] = await Promise.all([theirs(bytes), ours(bytes)])
    expect(a.error).toBeUndefined()
    expect(b.error).toBeUndefined()
    expect(b.response).toEqual(withoutSdkFields(a.response))
  })
})

describe('streams the SDK does not fold to their terminal response', () => {
  const read = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)))

  test('response.incomplete: the SDK keeps its in_progress snapshot, deltafold returns the incomplete response with the same text', async () => {
    const bytes = read('mirascope-gpt-4o-max-output-tokens-incomplete.sse')
    const [a, b] = await Promise.all([theirs(bytes), ours(bytes)])
    const sdk = a.response as Response
    expect(sdk.status).toBe('in_progress')
    expect(b.response!.status).toBe('incomplete')
    expect(b.response!.incomplete_details).toEqual({ reason: 'max_output_tokens' })
    const textOf = (r: Response) => (r.output[0] as { content: Array<{ text: string }> }).content[0]!.text
    expect(textOf(b.response!)).toBe(textOf(sdk))
  })

  test.each([
    ['vercel-ai-inline-failed-before-output.sse', { code: 'server_error', message: 'response failed' }],
    [
      'vercel-ai-inline-flat-error-event.sse',
      { type: 'error', sequence_number: 1, code: 'rate_limit_exceeded', message: 'Rate limit reached', param: null },
    ],
  ])('%s: both reject; deltafold with a ProviderError holding the provider error and partial', async (name, providerError) => {
    const bytes = read(name)
    const [a, b] = await Promise.all([theirs(bytes), ours(bytes)])
    expect(a.error).toBeDefined()
    expect(b.error).toBeInstanceOf(ProviderError)
    expect((b.error as ProviderError).error).toEqual(providerError)
    expect((b.error as ProviderError).partial).toBeDefined()
  })

  test('an error event before response.failed: both reject with the quota message', async () => {
    const [a, b] = await Promise.all([theirs(read('vercel-ai-openai-error-1.sse')), ours(read('vercel-ai-openai-error-1.sse'))])
    expect((a.error as Error).message).toContain('You exceeded your current quota')
    expect((b.error as ProviderError).message).toContain('You exceeded your current quota')
    expect((b.error as ProviderError).eventNumber).toBe(3)
  })

  test('truncated JSON in the first event: both reject; deltafold names the event', async () => {
    const [a, b] = await Promise.all([
      theirs(read('vercel-ai-parallel-tool-call-wrapper-1.sse')),
      ours(read('vercel-ai-parallel-tool-call-wrapper-1.sse')),
    ])
    expect(a.error).toBeDefined()
    expect(isDeltafoldError(b.error) && [b.error.code, b.error.eventNumber]).toEqual(['invalid_json', 1])
  })
})
