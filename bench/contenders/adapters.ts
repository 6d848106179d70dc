/**
 * The adapters' documented stream paths with the consumer reading every event, beside core and
 * beside eventsource-parser's own `EventSourceParserStream` (the web-streams row users compare with).
 * Each run returns the final completion and the number of events read; the body is a fresh
 * `ReadableStream` (or Node `Readable`) over the network chunks, one read per chunk.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { streamChatCompletion, type ChatCompletion, type CompletionEvent } from '@deltafold/core'
import { accumulateFromReadable, createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import {
  ChatCompletionChunkStream,
  ChatCompletionDecoderStream,
  ChatCompletionEventStream,
  SSEDecoderStream,
  fromResponse,
} from '@deltafold/web'
import { EventSourceParserStream } from 'eventsource-parser/stream'
import { createHandAccumulator, type HandCompletion, type LooseChunk } from './hand-accumulator.js'
import { toReadableStream, toResponse } from './readable.js'

/** What an events-read run returns. */
export interface EventsRun {
  completion: ChatCompletion | HandCompletion
  events: number
}

/** Reads a stream to its end with one reader, counting the items. */
async function count(readable: ReadableStream<unknown>): Promise<number> {
  const reader = readable.getReader()
  let n = 0
  while (!(await reader.read()).done) n++
  return n
}

/** core `streamChatCompletion(body)`, events iterated with `for await`. */
export async function coreStreamEvents(chunks: readonly Uint8Array[]): Promise<EventsRun> {
  const stream = streamChatCompletion(toReadableStream(chunks))
  let events = 0
  for await (const _ of stream) events++
  return { completion: await stream.finalChatCompletion(), events }
}

/** `body.pipeThrough(new ChatCompletionDecoderStream(options))`, every event read (from the arrays with `batch`). */
export async function webDecoderStream(
  chunks: readonly Uint8Array[],
  options: { chunkEvents?: boolean; batch?: boolean } = {},
): Promise<EventsRun> {
  const decoder = new ChatCompletionDecoderStream<boolean>(options)
  const reader = toReadableStream(chunks).pipeThrough(decoder).getReader()
  let events = 0
  for (;;) {
    const result = await reader.read()
    if (result.done) break
    if (Array.isArray(result.value)) for (const event of result.value) events += event.type.length > 0 ? 1 : 0
    else events++
  }
  return { completion: await decoder.finalChatCompletion(), events }
}

/** `fromResponse(response).events`, iterated with `for await`. */
export async function webFromResponse(chunks: readonly Uint8Array[]): Promise<EventsRun> {
  const stream = fromResponse(toResponse(chunks))
  let events = 0
  for await (const _ of stream.events) events++
  return { completion: await stream.finalChatCompletion(), events }
}

/** The three-class web pipeline as the README documents it, events read. */
export async function webThreeClasses(chunks: readonly Uint8Array[]): Promise<EventsRun> {
  const eventStream = new ChatCompletionEventStream()
  const readable = toReadableStream(chunks)
    .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
    .pipeThrough(new ChatCompletionChunkStream())
    .pipeThrough(eventStream)
  const events = await count(readable)
  return { completion: await eventStream.finalChatCompletion(), events }
}

/** The node chain as the README documents it, events iterated in the pipeline's last stage. */
export async function nodeChain(chunks: readonly Uint8Array[]): Promise<EventsRun> {
  const eventTransform = createEventTransform()
  let events = 0
  await pipeline(
    Readable.from(chunks),
    createSSEDecoderTransform({ dispatchUnterminated: true }),
    createChunkTransform(),
    eventTransform,
    async (source: AsyncIterable<CompletionEvent>) => {
      for await (const _ of source) events++
    },
  )
  return { completion: await eventTransform.finalChatCompletion(), events }
}

/** `accumulateFromReadable(readable)`: the completion only. */
export async function nodeAccumulate(chunks: readonly Uint8Array[]): Promise<ChatCompletion> {
  return accumulateFromReadable(Readable.from(chunks))
}

/**
 * eventsource-parser's own stream: `TextDecoderStream` → `EventSourceParserStream`, each event read,
 * `JSON.parse` of its data and the hand accumulation.
 */
export async function eventsourceParserStream(chunks: readonly Uint8Array[]): Promise<EventsRun> {
  const accumulator = createHandAccumulator()
  const reader = toReadableStream(chunks)
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream())
    .getReader()
  let events = 0
  let done = false
  for (;;) {
    const result = await reader.read()
    if (result.done) break
    events++
    if (done) continue
    if (result.value.data === '[DONE]') done = true
    else accumulator.push(JSON.parse(result.value.data) as LooseChunk)
  }
  return { completion: accumulator.result(), events }
}
