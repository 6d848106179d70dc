import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { DeltafoldError, ProviderError, type ChatCompletionChunk, type ServerSentEvent } from '@deltafold/core'
import { createChunkTransform, createSSEDecoderTransform } from '@deltafold/node'
import { delta, probeReadable, sse } from './helpers.js'

function message(data: string, type = 'message'): ServerSentEvent {
  return { type, data, lastEventId: '' }
}

async function parse(events: ServerSentEvent[]): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = []
  await pipeline(Readable.from(events), createChunkTransform(), async (source) => {
    for await (const chunk of source) chunks.push(chunk as ChatCompletionChunk)
  })
  return chunks
}

describe('createChunkTransform', () => {
  test('parses chunks and skips events with empty data or null', async () => {
    expect(await parse([message(JSON.stringify(delta('a'))), message(''), message('null'), message(JSON.stringify(delta('b')))])).toEqual([
      delta('a'),
      delta('b'),
    ])
  })

  test('ends at [DONE] and ignores every later event, even malformed ones', async () => {
    expect(
      await parse([message(JSON.stringify(delta('a'))), message('[DONE]'), message('{oops'), message(JSON.stringify(delta('b')))]),
    ).toEqual([delta('a')])
  })

  test('malformed JSON destroys the stream with invalid_json carrying the event number and data, without a byte offset', async () => {
    const error = (await parse([message(JSON.stringify(delta('a'))), message('{"choices":[')]).catch((e: unknown) => e)) as DeltafoldError
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error).toMatchObject({ code: 'invalid_json', eventNumber: 2, data: '{"choices":[' })
    expect(error.byteOffset).toBeUndefined()
    expect(error.message).not.toMatch(/byte/)
  })

  test('a data: {"error": …} payload destroys the stream with a ProviderError', async () => {
    const error = await parse([message('{"error":{"message":"overloaded"}}')]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'upstream_error', eventNumber: 1, error: { message: 'overloaded' } })
  })

  test('an event: error destroys the stream with a ProviderError', async () => {
    await expect(parse([message('{"message":"bad"}', 'error')])).rejects.toMatchObject({ name: 'ProviderError', code: 'upstream_error' })
  })

  test('a payload that is not an object is invalid_chunk', async () => {
    await expect(parse([message('"text"')])).rejects.toMatchObject({ code: 'invalid_chunk', eventNumber: 1 })
  })

  test('an error in a pipeline destroys the byte source once', async () => {
    const { readable, probe } = probeReadable([sse(delta('a')), 'data: {oops}\n\n', sse(delta('never'))])
    const result = pipeline(readable, createSSEDecoderTransform(), createChunkTransform(), async (source) => {
      for await (const _ of source) {
        // Consuming.
      }
    })
    await expect(result).rejects.toMatchObject({ code: 'invalid_json', eventNumber: 2 })
    expect(probe.destroyed).toBe(1)
  })
})
