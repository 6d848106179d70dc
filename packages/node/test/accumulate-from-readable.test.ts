import { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, ProviderError, type ChatCompletion } from '@deltafold/core'
import { accumulateFromReadable } from '@deltafold/node'
import { delta, probeReadable, sse, tick } from './helpers.js'

const HELLO = sse(delta('Hel'), delta('lo', 'stop'), '[DONE]')

/** A Readable that looks like an http.IncomingMessage. */
function fakeResponse(statusCode: number, contentType: string, body: string): Readable {
  return Object.assign(Readable.from([Buffer.from(body)]), { statusCode, headers: { 'content-type': contentType } })
}

describe('accumulateFromReadable', () => {
  test('reads Buffers, strings and a readable with an encoding set', async () => {
    const content = async (r: Readable) => (await accumulateFromReadable(r)).choices[0]?.message.content
    expect(await content(Readable.from([Buffer.from(HELLO.slice(0, 9)), Buffer.from(HELLO.slice(9))]))).toBe('Hello')
    expect(await content(Readable.from([HELLO.slice(0, 9), HELLO.slice(9)], { objectMode: false }))).toBe('Hello')
    expect(await content(Readable.from([Buffer.from(HELLO)]).setEncoding('utf8'))).toBe('Hello')
  })

  test('a readable without statusCode is not status-checked', async () => {
    expect((await accumulateFromReadable(Readable.from([sse(delta('x'))]))).choices[0]?.message.content).toBe('x')
  })

  test('a non-2xx statusCode is a ProviderError http_error with the parsed body', async () => {
    const error = await accumulateFromReadable(fakeResponse(503, 'application/json', '{"error":{"message":"overloaded"}}')).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'http_error', status: 503, error: { error: { message: 'overloaded' } } })
  })

  test('a 200 JSON body that is neither a completion nor an error is not_event_stream, quoting its head', async () => {
    const error = (await accumulateFromReadable(fakeResponse(200, 'application/json', '{"id":"x"}')).catch(
      (e: unknown) => e,
    )) as DeltafoldError
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error.code).toBe('not_event_stream')
    expect(error.message).toContain('{\\"id\\":\\"x\\"}')
  })

  test('a 200 JSON error body is the provider error (upstream_error) carrying its object', async () => {
    const body = '{"error":{"message":"Rate limit","type":"rate_limit"}}'
    await expect(accumulateFromReadable(fakeResponse(200, 'application/json', body))).rejects.toMatchObject({
      code: 'upstream_error',
      error: { message: 'Rate limit', type: 'rate_limit' },
    })
  })

  test('a 200 event stream is read', async () => {
    expect((await accumulateFromReadable(fakeResponse(200, 'text/event-stream', HELLO))).choices[0]?.message.content).toBe('Hello')
  })

  test('[DONE] destroys the readable exactly once; nothing after it is read', async () => {
    const { readable, probe } = probeReadable([sse(delta('Hi', 'stop')), sse('[DONE]'), sse(delta('ignored')), 'more', 'more'])
    expect((await accumulateFromReadable(readable)).choices[0]?.message.content).toBe('Hi')
    expect(probe.destroyed).toBe(1)
    expect(probe.reads).toBeLessThanOrEqual(3)
  })

  test('a read failure mid-stream is a stream_failed error with the cause and the partial', async () => {
    const cause = Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
    const { readable } = probeReadable([sse(delta('Hel')), sse(delta('lo'))], { failAt: 2, error: cause })
    const error = (await accumulateFromReadable(readable).catch((e: unknown) => e)) as DeltafoldError<ChatCompletion>
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error).toMatchObject({ code: 'stream_failed', cause })
    expect(error.partial?.choices[0]?.message.content).toBe('Hello')
  })

  test('a readable destroyed without an error before its end is a stream_failed premature close', async () => {
    const readable = new Readable({ read() {} })
    readable.push(sse(delta('a')))
    setTimeout(() => readable.destroy(), 5)
    await expect(accumulateFromReadable(readable)).rejects.toMatchObject({
      code: 'stream_failed',
      cause: { code: 'ERR_STREAM_PREMATURE_CLOSE' },
    })
  })

  test('signal: aborting while the readable is silent rejects at once with the reason, destroys it and removes every listener', async () => {
    const readable = new Readable({ read() {} })
    readable.push(sse(delta('Hel'), delta('lo')))
    const before = ['readable', 'end', 'error', 'close'].map((n) => readable.listenerCount(n))
    const controller = new AbortController()
    const pending = accumulateFromReadable(readable, { signal: controller.signal })
    await tick()
    const reason = new Error('user pressed stop')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect((reason as Error & { partial: ChatCompletion }).partial.choices[0]?.message.content).toBe('Hello')
    expect(readable.destroyed).toBe(true)
    // destroy() finishes with 'close' a tick later; the guard against a late 'error' goes with it.
    await new Promise((resolve) => setImmediate(resolve))
    expect(['readable', 'end', 'error', 'close'].map((n) => readable.listenerCount(n))).toEqual(before)
  })

  test('signal: an already aborted signal rejects with its reason and destroys the readable', async () => {
    const readable = Readable.from([HELLO])
    const reason = new Error('too late')
    await expect(accumulateFromReadable(readable, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(readable.destroyed).toBe(true)
  })

  test('an already ended readable is an empty_stream error, or an empty completion with allowEmpty', async () => {
    const ended = async () => {
      const readable = Readable.from([])
      readable.resume()
      await new Promise((resolve) => readable.once('end', resolve))
      return readable
    }
    await expect(accumulateFromReadable(await ended())).rejects.toMatchObject({ code: 'empty_stream' })
    expect((await accumulateFromReadable(await ended(), { allowEmpty: true })).choices).toEqual([])
  })

  test('rejects a non-readable with a TypeError saying what to pass', async () => {
    await expect(accumulateFromReadable('data: x' as never)).rejects.toThrow(/pass the http.IncomingMessage/)
  })
})
