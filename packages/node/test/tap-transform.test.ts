import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { expect, test } from 'vitest'
import { createChatCompletionNormalizer, type ChatCompletion, type DeltafoldError } from '@deltafold/core'
import { createNormalizeTransform, createTapTransform } from '@deltafold/node'

const good = 'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
const rest = 'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n'

function sink(out: Buffer[]): Writable {
  return new Writable({ write: (chunk: Buffer, _e, done) => (out.push(chunk), done()) })
}

test('createTapTransform pushes the same Buffers in order and folds them', async () => {
  const pieces = [good.slice(0, 7), good.slice(7), rest].map((p) => Buffer.from(p))
  const tap = createTapTransform()
  const out: Buffer[] = []
  await pipeline(Readable.from(pieces), tap, sink(out))
  for (const [i, chunk] of out.entries()) expect(chunk).toBe(pieces[i])
  expect((await tap.finalChatCompletion()).choices[0]?.message.content).toBe('Hello')
  expect(tap.snapshot().choices[0]?.message.content).toBe('Hello')
})

test('createTapTransform failClosed: bad input destroys the pipeline with the typed error', async () => {
  const tap = createTapTransform({ failClosed: true })
  await expect(pipeline(Readable.from([Buffer.from(good), Buffer.from('data: {oops}\n\n')]), tap, sink([]))).rejects.toMatchObject({
    code: 'invalid_json',
  })
  const error = await tap.finalChatCompletion().catch((e: DeltafoldError) => e)
  expect(((error as DeltafoldError).partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
})

test('createTapTransform destroyed before the end: the fold rejects aborted with partial', async () => {
  const tap = createTapTransform()
  tap.write(Buffer.from(good))
  tap.destroy()
  const error = (await tap.finalChatCompletion().catch((e: unknown) => e)) as DeltafoldError
  expect(error.code).toBe('aborted')
  expect((error.partial as ChatCompletion).choices[0]?.message.content).toBe('Hel')
})

test('createNormalizeTransform writes the bytes of core createChatCompletionNormalizer', async () => {
  const normalizer = createChatCompletionNormalizer()
  const expected = normalizer.feed(good + rest) + normalizer.end()
  const out: Buffer[] = []
  await pipeline(Readable.from([Buffer.from(good.slice(0, 3)), Buffer.from(good.slice(3) + rest)]), createNormalizeTransform(), sink(out))
  expect(Buffer.concat(out).toString('utf8')).toBe(expected)
})

test('createNormalizeTransform failClosed: bad input destroys the pipeline with the typed error', async () => {
  await expect(
    pipeline(Readable.from([Buffer.from(good + 'data: {oops}\n\n')]), createNormalizeTransform({ failClosed: true }), sink([])),
  ).rejects.toMatchObject({ code: 'invalid_json' })
})
