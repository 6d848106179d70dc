import { describe, expect, test } from 'vitest'
import { DeltafoldError, ProviderError, type ServerSentEvent } from '@deltafold/core'
import { ChatCompletionChunkStream, SSEDecoderStream } from '@deltafold/web'
import { collect, delta, probeStream, sse, tick } from './helpers.js'

function message(data: string, type = 'message'): ServerSentEvent {
  return { type, data, lastEventId: '' }
}

function parse(events: ServerSentEvent[]) {
  const stream = new ReadableStream<ServerSentEvent>({
    start(c) {
      for (const event of events) c.enqueue(event)
      c.close()
    },
  })
  return collect(stream.pipeThrough(new ChatCompletionChunkStream()))
}

describe('ChatCompletionChunkStream', () => {
  test('parses chunks and skips events with empty data or null', async () => {
    const chunks = await parse([message(JSON.stringify(delta('a'))), message(''), message('null'), message(JSON.stringify(delta('b')))])
    expect(chunks).toEqual([delta('a'), delta('b')])
  })

  test('ends at [DONE] and ignores every later event, even malformed ones', async () => {
    const chunks = await parse([
      message(JSON.stringify(delta('a'))),
      message('[DONE]'),
      message(JSON.stringify(delta('b'))),
      message('{oops'),
    ])
    expect(chunks).toEqual([delta('a')])
  })

  test('malformed JSON errors the stream with invalid_json carrying the event number and data, without a byte offset', async () => {
    const error = (await parse([message(JSON.stringify(delta('a'))), message('{"choices":[')]).catch((e: unknown) => e)) as DeltafoldError
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 2, data: '{"choices":[' })
    expect(error.byteOffset).toBeUndefined()
    expect(error.message).toBe('Invalid JSON in event 2: "{\\"choices\\":["')
    expect(error.cause).toBeInstanceOf(SyntaxError)
  })

  test('a payload that is not an object errors with invalid_chunk', async () => {
    await expect(parse([message('[1,2]')])).rejects.toMatchObject({ code: 'invalid_chunk', eventNumber: 1 })
  })

  test('a data: {"error": …} payload errors with a ProviderError carrying the provider error', async () => {
    const error = (await parse([message(JSON.stringify(delta('a'))), message('{"error":{"message":"overloaded","code":529}}')]).catch(
      (e: unknown) => e,
    )) as ProviderError
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', eventNumber: 2, path: '$.error', error: { message: 'overloaded', code: 529 } })
    expect(error.message).toBe('The provider sent an error: overloaded (event 2)')
  })

  test('an event: error errors with a ProviderError', async () => {
    await expect(parse([message('{"message":"bad"}', 'error')])).rejects.toMatchObject({
      name: 'ProviderError',
      code: 'upstream_error',
      eventNumber: 1,
    })
  })

  test('error: null is not an error', async () => {
    expect(await parse([message(JSON.stringify({ ...delta('a'), error: null }))])).toHaveLength(1)
  })

  test('an error cancels the byte source through the pipes exactly once', async () => {
    const { stream, probe } = probeStream([sse(delta('a')), 'data: {oops}\n\n', sse(delta('never'))])
    const chunks = stream.pipeThrough(new SSEDecoderStream()).pipeThrough(new ChatCompletionChunkStream())
    await expect(collect(chunks)).rejects.toMatchObject({ code: 'invalid_json', eventNumber: 2 })
    await tick()
    expect(probe.cancels).toHaveLength(1)
    expect(stream.locked).toBe(false)
  })
})
