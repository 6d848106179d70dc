import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { accumulateResponse, isDeltafoldError, ProviderError, type Response } from '@deltafold/core'
import { DIVERGENT, maskEncrypted, partialMismatch, responsesFixtures, splitAt, type ResponsesFixture } from './responses-helpers.js'

// Fixed seed: CI runs the same cases every time; change it locally to explore.
const SEED = 20_261_205
const RUNS = 8

const fixtures = responsesFixtures()

/** What a fixture must fold to, read off its events by the test (not by the code under test). */
type Outcome =
  | { kind: 'response'; response: Record<string, unknown> }
  | { kind: 'provider_error'; eventNumber: number; error: unknown; status?: string }
  | { kind: 'invalid_json'; eventNumber: number }

function outcome(f: ResponsesFixture): Outcome {
  for (let i = 0; i < f.events.length; i++) {
    const e = f.events[i]
    if (e === undefined) return { kind: 'invalid_json', eventNumber: i + 1 }
    if (e.type === 'error') return { kind: 'provider_error', eventNumber: i + 1, error: e.error ?? e }
    if (e.type === 'response.failed') {
      const response = e.response as Record<string, unknown>
      return { kind: 'provider_error', eventNumber: i + 1, error: response.error, status: response.status as string }
    }
    if (e.type === 'response.completed' || e.type === 'response.incomplete')
      return { kind: 'response', response: e.response as Record<string, unknown> }
  }
  throw new Error(`${f.name} has no terminal event`)
}

async function settle(pieces: Uint8Array[]): Promise<{ response?: Response; error?: unknown }> {
  try {
    return { response: await accumulateResponse(pieces) }
  } catch (error) {
    return { error }
  }
}

function check(f: ResponsesFixture, result: { response?: Response; error?: unknown }): void {
  const want = outcome(f)
  if (want.kind === 'response') {
    expect(result.error).toBeUndefined()
    expect(result.response).toEqual(want.response)
    if (f.expected) {
      const { output_text: _sdkAdded, ...expected } = f.expected
      expect(partialMismatch(result.response, expected)).toBeUndefined()
    }
    return
  }
  expect(isDeltafoldError(result.error)).toBe(true)
  const error = result.error as ProviderError
  expect(error.eventNumber).toBe(want.eventNumber)
  expect(error.partial).toBeDefined()
  if (want.kind === 'invalid_json') expect(error.code).toBe('invalid_json')
  else {
    expect(error).toBeInstanceOf(ProviderError)
    expect(error.code).toBe('upstream_error')
    expect(error.error).toEqual(want.error)
    if (want.status !== undefined) expect((error.partial as Response).status).toBe(want.status)
  }
}

/** Fields whose string value grows by deltas: a cut stream's value must be a prefix of the final one. */
const GROWING = new Set(['text', 'refusal', 'arguments', 'input', 'code', 'diff', 'commands', 'stdout', 'stderr'])

function expectPrefixes(partial: unknown, final: unknown, path: string, growing: boolean): void {
  if (typeof partial === 'string') {
    if (growing) {
      expect(typeof final, path).toBe('string')
      expect((final as string).startsWith(partial), `${path}: ${JSON.stringify(partial).slice(0, 80)} is not a prefix`).toBe(true)
    }
    return
  }
  if (typeof partial !== 'object' || partial === null || typeof final !== 'object' || final === null) return
  for (const key of Object.keys(partial)) {
    expectPrefixes(
      (partial as Record<string, unknown>)[key],
      (final as Record<string, unknown>)[key],
      `${path}.${key}`,
      growing || GROWING.has(key),
    )
  }
}

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  test('folds to its own terminal response (or its error) at any split', async () => {
    check(f, await settle([f.bytes]))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: Math.max(1, f.bytes.length - 1) }), { maxLength: 24 }), async (cuts) => {
        check(f, await settle(splitAt(f.bytes, cuts)))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  test.skipIf(outcome(f).kind !== 'response')(
    'cut just before its terminal event, rejects unexpected_eof with every item in partial',
    async () => {
      const cut = f.bytes.subarray(0, f.starts[f.terminalIndex])
      const { error } = await settle([cut])
      expect(isDeltafoldError(error) && error.code).toBe('unexpected_eof')
      const partial = (error as { partial: Response }).partial
      const final = (f.events[f.terminalIndex]!.response as Response).output
      expect(maskEncrypted(partial.output)).toEqual(maskEncrypted(final))
    },
  )

  test.skipIf(outcome(f).kind !== 'response' || f.name === DIVERGENT)(
    'cut after any event, holds a prefix of every text and argument',
    async () => {
      const final = (f.events[f.terminalIndex]!.response as Response).output
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: f.terminalIndex }), async (k) => {
          const { error } = await settle([f.bytes.subarray(0, f.starts[k])])
          expect(isDeltafoldError(error) && error.code).toBe('unexpected_eof')
          const partial = (error as { partial: Response }).partial
          expect(partial.output.length).toBeLessThanOrEqual(final.length)
          expectPrefixes(partial.output, final, '$.output', false)
        }),
        { seed: SEED, numRuns: RUNS },
      )
    },
  )
})

test('every fixture is classified: 51 complete or incomplete, 3 provider errors, 1 invalid JSON', () => {
  const kinds = fixtures.map((f) => outcome(f).kind)
  expect(kinds.filter((k) => k === 'response')).toHaveLength(51)
  expect(kinds.filter((k) => k === 'provider_error')).toHaveLength(3)
  expect(kinds.filter((k) => k === 'invalid_json')).toHaveLength(1)
})

test('a stream fed one byte at a time folds the same as whole', async () => {
  const f = fixtures.find((x) => x.name === 'mirascope-gpt-5-reasoning-summary.sse')!
  const pieces = Array.from({ length: f.bytes.length }, (_, i) => f.bytes.subarray(i, i + 1))
  expect(await accumulateResponse(pieces)).toEqual(await accumulateResponse(f.bytes))
})

test('deltas that disagree with output_text.done: the snapshot holds the deltas until the done text replaces them', async () => {
  const f = fixtures.find((x) => x.name === DIVERGENT)!
  const done = f.events.findIndex((e) => e?.type === 'response.output_text.done')
  const { error } = await settle([f.bytes.subarray(0, f.starts[done])])
  const message = (error as { partial: Response }).partial.output[2] as { content: Array<{ text: string }> }
  expect(message.content[0]!.text).toBe('The command ran successfully.')
  const final = (await accumulateResponse(f.bytes)).output[2] as { content: Array<{ text: string }> }
  expect(final.content[0]!.text.startsWith('The command ran successfully in the container.')).toBe(true)
})
