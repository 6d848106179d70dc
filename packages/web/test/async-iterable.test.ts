import { describe, expect, test } from 'vitest'
import { ensureAsyncIterable } from '../src/internal/async-iterable.js'
import { probeStream } from './helpers.js'

// Node has ReadableStream[Symbol.asyncIterator]; `force` installs the fallback used where it is missing.
describe('ensureAsyncIterable fallback', () => {
  test('iterates every chunk and releases the lock at the end', async () => {
    const { stream } = probeStream(['a', 'b'])
    const chunks: string[] = []
    for await (const chunk of ensureAsyncIterable(stream, true)) chunks.push(new TextDecoder().decode(chunk))
    expect(chunks).toEqual(['a', 'b'])
    expect(stream.locked).toBe(false)
  })

  test('breaking out cancels the stream exactly once and releases the lock', async () => {
    const { stream, probe } = probeStream(['a', 'b', 'c'])
    for await (const _ of ensureAsyncIterable(stream, true)) break
    expect(probe.cancels).toHaveLength(1)
    expect(stream.locked).toBe(false)
  })

  test('preventCancel: breaking out releases the lock without cancelling', async () => {
    const { stream, probe } = probeStream(['a', 'b', 'c'])
    const iterable = ensureAsyncIterable(stream, true) as unknown as { [Symbol.asyncIterator](o: object): AsyncIterator<Uint8Array> }
    const iterator = iterable[Symbol.asyncIterator]({ preventCancel: true })
    await iterator.next()
    await iterator.return!()
    expect(probe.cancels).toEqual([])
    expect(stream.locked).toBe(false)
  })

  test('an error rejects next() and releases the lock', async () => {
    const { stream } = probeStream(['a'], { failAt: 1, error: new Error('boom') })
    const iterator = ensureAsyncIterable(stream, true)[Symbol.asyncIterator]()
    await iterator.next()
    await expect(iterator.next()).rejects.toThrow('boom')
    expect(stream.locked).toBe(false)
  })

  test('leaves a native async iterator alone', () => {
    const { stream } = probeStream([])
    const native = (stream as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]
    expect((ensureAsyncIterable(stream) as AsyncIterable<unknown>)[Symbol.asyncIterator]).toBe(native)
  })
})
