import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { accumulateChatCompletion, isDeltafoldError, ProviderError, type ChatCompletion } from '@deltafold/core'
import { createNormalizeTransform, createTapTransform } from '@deltafold/node'
import { ChatCompletionNormalizeStream, ChatCompletionTapStream } from '@deltafold/web'
import { normalizeText, recordedFixtures, splitAt } from './helpers.js'

const fixtures = recordedFixtures()

async function reference(bytes: Uint8Array): Promise<{ completion?: ChatCompletion; error?: unknown }> {
  try {
    return { completion: await accumulateChatCompletion([bytes]) }
  } catch (error) {
    return { error }
  }
}

/** Runs `pieces` through a web tap; returns the chunks the reader got and how the fold settled. */
async function webTap(pieces: Uint8Array[]) {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece)
      controller.close()
    },
  })
  const tap = new ChatCompletionTapStream()
  const out: Uint8Array[] = []
  for await (const chunk of source.pipeThrough(tap) as unknown as AsyncIterable<Uint8Array>) out.push(chunk)
  return { out, result: await settle(tap.finalChatCompletion()) }
}

async function nodeTap(pieces: Buffer[]) {
  const tap = createTapTransform()
  const out: Buffer[] = []
  await pipeline(Readable.from(pieces), tap, new Writable({ write: (chunk, _e, done) => (out.push(chunk), done()) }))
  return { out, result: await settle(tap.finalChatCompletion()) }
}

async function settle(promise: Promise<ChatCompletion>): Promise<{ completion?: ChatCompletion; error?: unknown }> {
  try {
    return { completion: await promise }
  } catch (error) {
    return { error }
  }
}

function expectSameFold(
  actual: { completion?: ChatCompletion; error?: unknown },
  expected: { completion?: ChatCompletion; error?: unknown },
) {
  if (expected.error === undefined) return expect(actual.completion).toEqual(expected.completion)
  expect(isDeltafoldError(actual.error)).toBe(true)
  expect((actual.error as ProviderError).code).toBe((expected.error as ProviderError).code)
  expect((actual.error as ProviderError).partial).toEqual((expected.error as ProviderError).partial)
}

const offsets = (length: number) => fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 24 })

describe.each(fixtures)('%s', (_name, bytes) => {
  test('web: the tap passes on the same chunk objects in order and folds to accumulateChatCompletion', async () => {
    const expected = await reference(bytes)
    await fc.assert(
      fc.asyncProperty(offsets(bytes.length), async (cuts) => {
        const pieces = splitAt(bytes, cuts)
        const { out, result } = await webTap(pieces)
        expect(out.length).toBe(pieces.length)
        for (const [i, chunk] of out.entries()) expect(chunk).toBe(pieces[i])
        expectSameFold(result, expected)
      }),
      { seed: 14, numRuns: 10 },
    )
  })

  test('node: the tap passes on the same Buffers in order and folds to accumulateChatCompletion', async () => {
    const expected = await reference(bytes)
    await fc.assert(
      fc.asyncProperty(offsets(bytes.length), async (cuts) => {
        const pieces = splitAt(bytes, cuts).map((piece) => Buffer.from(piece))
        const { out, result } = await nodeTap(pieces)
        expect(out.length).toBe(pieces.length)
        for (const [i, chunk] of out.entries()) expect(chunk).toBe(pieces[i])
        expectSameFold(result, expected)
      }),
      { seed: 14, numRuns: 10 },
    )
  })

  test('provider errors reach only finalChatCompletion: every byte still reaches the reader', async () => {
    const expected = await reference(bytes)
    if (!(expected.error instanceof ProviderError)) return
    const { out, result } = await webTap([bytes])
    expect(Buffer.concat(out).equals(Buffer.from(bytes))).toBe(true)
    expect(result.error).toBeInstanceOf(ProviderError)
  })

  test('node and web normalize to the same bytes as core', async () => {
    const pieces = splitAt(bytes, [7, 100, 101, 1000])
    const expected = normalizeText(pieces)
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece)
        controller.close()
      },
    })
    const web = Buffer.from(await new Response(source.pipeThrough(new ChatCompletionNormalizeStream())).arrayBuffer())
    const nodeOut: Buffer[] = []
    await pipeline(
      Readable.from(pieces.map((p) => Buffer.from(p))),
      createNormalizeTransform(),
      new Writable({ write: (chunk, _e, done) => (nodeOut.push(chunk), done()) }),
    )
    expect(web.toString('utf8')).toBe(expected)
    expect(Buffer.concat(nodeOut).equals(web)).toBe(true)
  })
})
