/**
 * adapters: the documented stream paths of `@deltafold/web` and `@deltafold/node` with the consumer
 * reading every event, measured in one run beside core and beside eventsource-parser's own
 * `EventSourceParserStream` (throughput on the chat-text body), then heap per in-flight stream (each
 * stream fed its first 20 events, its consumer waiting on the next read, the body stalled).
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
import {
  coreStreamEvents,
  eventsourceParserStream,
  nodeAccumulate,
  nodeChain,
  webDecoderStream,
  webFromResponse,
  webThreeClasses,
  type EventsRun,
} from '../contenders/adapters.js'
import { deltafoldAccumulate } from '../contenders/deltafold.js'
import { createHandAccumulator, type LooseChunk } from '../contenders/hand-accumulator.js'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { eventsOf, generateStreamPrefixes } from '../generators/many-streams.js'
import { gc } from '../lib/gc.js'
import { checkCompletion, compare, type CheckResult } from '../lib/ground-truth.js'
import { measure, median, type Contender } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import type { PlainTable, ScenarioReport, ThroughputTable } from '../lib/report.js'

export interface AdaptersConfig {
  quick?: boolean
  seed: number
  targetBytes: number
  rounds: number
  streams: number
  repeats: number
}

export const full: AdaptersConfig = { seed: 1, targetBytes: 20_000_000, rounds: 5, streams: 5_000, repeats: 2 }
/** A few seconds: for comparing before and after a change (pass it to `run` from a scratch script). */
export const medium: AdaptersConfig = { seed: 1, targetBytes: 2_000_000, rounds: 3, streams: 2_000, repeats: 1 }
export const smoke: AdaptersConfig = { quick: true, seed: 1, targetBytes: 30_000, rounds: 1, streams: 50, repeats: 1 }

/** The contenders' names, also the metric keys' sources. */
const NAMES = {
  core: 'core accumulateChatCompletion(body) (no events read)',
  coreStream: 'core streamChatCompletion(body), events iterated',
  decoder: 'web body.pipeThrough(new ChatCompletionDecoderStream()), events read',
  decoderNoChunks: 'web ChatCompletionDecoderStream({ chunkEvents: false }), events read',
  decoderBatch: 'web ChatCompletionDecoderStream({ batch: true }), every event read from the arrays',
  decoderBatchNoChunks: 'web ChatCompletionDecoderStream({ batch: true, chunkEvents: false }), every event read',
  fromResponse: 'web fromResponse(response).events, iterated',
  three: 'web SSEDecoderStream → ChatCompletionChunkStream → ChatCompletionEventStream, events read',
  nodeChain: 'node createSSEDecoderTransform → createChunkTransform → createEventTransform, events iterated',
  nodeAccumulate: 'node accumulateFromReadable(readable) (no events read)',
  esp: 'eventsource-parser TextDecoderStream → EventSourceParserStream + JSON.parse + hand acc',
} as const

async function throughput(config: AdaptersConfig): Promise<{ table: ThroughputTable; ms: (name: string) => number }> {
  const generated = generateChatText({ seed: config.seed, targetBytes: config.targetBytes })
  const chunks = splitRandom(generated.bytes, createRandom(config.seed + 1), 1, 8192)
  const check = (result: unknown) => {
    const run = result as EventsRun | ChatCompletion
    return checkCompletion('events' in run && 'completion' in run ? run.completion : run, generated.expected)
  }
  const stream = (name: string, run: () => Promise<unknown>, role?: Contender['role']): Contender => ({
    name,
    peer: name.startsWith('eventsource-parser') ? 'eventsource-parser' : 'deltafold',
    input: 'stream',
    run,
    check,
    ...(role ? { role } : {}),
  })
  const rows = await measure(
    [
      stream(NAMES.core, () => deltafoldAccumulate(chunks), 'reference'),
      stream(NAMES.coreStream, () => coreStreamEvents(chunks)),
      stream(NAMES.decoder, () => webDecoderStream(chunks)),
      stream(NAMES.decoderNoChunks, () => webDecoderStream(chunks, { chunkEvents: false })),
      stream(NAMES.decoderBatch, () => webDecoderStream(chunks, { batch: true })),
      stream(NAMES.decoderBatchNoChunks, () => webDecoderStream(chunks, { batch: true, chunkEvents: false })),
      stream(NAMES.fromResponse, () => webFromResponse(chunks)),
      stream(NAMES.three, () => webThreeClasses(chunks)),
      stream(NAMES.nodeChain, () => nodeChain(chunks)),
      stream(NAMES.nodeAccumulate, () => nodeAccumulate(chunks)),
      stream(NAMES.esp, () => eventsourceParserStream(chunks)),
    ],
    { iterations: 1, rounds: config.rounds, gc: !config.quick },
  )
  const table: ThroughputTable = {
    kind: 'throughput',
    key: 'adapters',
    workload: `adapters, chat-text body: ${generated.contentDeltas.toLocaleString('en-US')} content chunks, ${chunks.length.toLocaleString('en-US')} network chunks of 1–8192 B, every event read`,
    bytes: generated.bytes.length,
    events: generated.eventCount,
    rows,
  }
  const ms = (name: string) => rows.find((row) => row.name === name && row.samples.length > 0)?.medianMs ?? NaN
  return { table, ms }
}

interface Holder {
  /** Everything the server holds for this stream between reads. */
  state: unknown
  content(): string | null | undefined
}

interface HeapContender {
  name: string
  /** Opens one stream over a body that delivers `events` then stalls; resolves once its consumer waits past them. */
  open(events: Uint8Array[]): Promise<Holder>
}

/** A byte body that delivers `events`, says when the consumer has asked past them, then stalls. */
function stalledBody(events: Uint8Array[], drained: () => void): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < events.length) return controller.enqueue(events[i++]!)
      drained()
      return new Promise<void>(() => {})
    },
  })
}

/** The same as a Node `Readable`. */
function stalledReadable(events: Uint8Array[], drained: () => void): Readable {
  let i = 0
  return new Readable({
    read() {
      if (i < events.length) this.push(events[i++]!)
      else drained()
    },
  })
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Reads `readable` until the body stalls, then leaves the reader waiting on a read, as a live consumer would. */
async function readUntilStalled<T>(open: (drained: () => void) => ReadableStream<T>): Promise<ReadableStream<T>> {
  let drained!: () => void
  const stalled = new Promise<void>((resolve) => (drained = resolve))
  const readable = open(drained)
  const reader = readable.getReader()
  void (async () => {
    while (!(await reader.read()).done) {
      // Reading, as the consumer of a live stream does.
    }
  })().catch(() => {})
  await stalled
  await settle()
  return readable
}

const content = (completion: { choices: Array<{ message: { content: string | null } } | undefined> }) =>
  completion.choices[0]?.message.content

function heapContenders(): HeapContender[] {
  return [
    {
      name: 'floor: body.pipeThrough(new TransformStream()), reader pending',
      async open(events) {
        const readable = await readUntilStalled((drained) =>
          stalledBody(events, drained).pipeThrough(new TransformStream<Uint8Array, Uint8Array>()),
        )
        // Holds no completion: checked to be pending only.
        return { state: readable, content: () => undefined }
      },
    },
    {
      name: NAMES.coreStream.replace(', events iterated', ', pending'),
      async open(events) {
        let drained!: () => void
        const stalled = new Promise<void>((resolve) => (drained = resolve))
        const stream = streamChatCompletion(stalledBody(events, drained))
        void stream.finalChatCompletion()
        await stalled
        await settle()
        return { state: stream, content: () => content(stream.snapshot()) }
      },
    },
    {
      name: 'web ChatCompletionDecoderStream, reader pending',
      async open(events) {
        const decoder = new ChatCompletionDecoderStream()
        const readable = await readUntilStalled((drained) => stalledBody(events, drained).pipeThrough(decoder))
        return { state: [decoder, readable], content: () => content(decoder.snapshot()) }
      },
    },
    {
      name: 'web fromResponse(response).events, reader pending',
      async open(events) {
        let stream!: ReturnType<typeof fromResponse>
        const readable = await readUntilStalled((drained) => {
          stream = fromResponse(new Response(stalledBody(events, drained), { headers: { 'content-type': 'text/event-stream' } }))
          return stream.events
        })
        return { state: [stream, readable], content: () => content(stream.snapshot()) }
      },
    },
    {
      name: 'web three-class pipeline, reader pending',
      async open(events) {
        const eventStream = new ChatCompletionEventStream()
        const readable = await readUntilStalled((drained) =>
          stalledBody(events, drained)
            .pipeThrough(new SSEDecoderStream({ dispatchUnterminated: true }))
            .pipeThrough(new ChatCompletionChunkStream())
            .pipeThrough(eventStream),
        )
        return { state: [eventStream, readable], content: () => content(eventStream.snapshot()) }
      },
    },
    {
      name: 'node three-transform chain, consumer waiting',
      async open(events) {
        let drained!: () => void
        const stalled = new Promise<void>((resolve) => (drained = resolve))
        const source = stalledReadable(events, drained)
        const eventTransform = createEventTransform()
        void pipeline(
          source,
          createSSEDecoderTransform({ dispatchUnterminated: true }),
          createChunkTransform(),
          eventTransform,
          async (events: AsyncIterable<CompletionEvent>) => {
            for await (const _ of events) {
              // Reading.
            }
          },
        ).catch(() => {})
        await stalled
        await settle()
        return { state: [source, eventTransform], content: () => content(eventTransform.snapshot()) }
      },
    },
    {
      name: 'node accumulateFromReadable(readable), pending',
      async open(events) {
        let drained!: () => void
        const stalled = new Promise<void>((resolve) => (drained = resolve))
        const source = stalledReadable(events, drained)
        let completion: ChatCompletion | undefined
        const pending = accumulateFromReadable(source).then((c) => (completion = c))
        pending.catch(() => {})
        await stalled
        await settle()
        // No snapshot on this entry point: checked to be still pending (the content is not reachable).
        return { state: [source, pending], content: () => (completion === undefined ? undefined : null) }
      },
    },
    {
      name: 'eventsource-parser TextDecoderStream → EventSourceParserStream + hand acc, reader pending',
      async open(events) {
        const accumulator = createHandAccumulator()
        const readable = await readUntilStalled((drained) =>
          stalledBody(events, drained)
            .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
            .pipeThrough(new EventSourceParserStream())
            .pipeThrough(new TransformStream({ transform: (event) => accumulator.push(JSON.parse(event.data) as LooseChunk) })),
        )
        return { state: [readable, accumulator], content: () => content(accumulator.result()) }
      },
    },
  ]
}

async function heap(config: AdaptersConfig): Promise<{ table: PlainTable; perStream: Record<string, number> }> {
  const prefixes = generateStreamPrefixes({ seed: 9, streams: config.streams, eventsPerStream: 20 })
  const table: PlainTable = {
    kind: 'plain',
    title: `adapters heap: ${config.streams.toLocaleString('en-US')} streams in flight, 20 events each, consumer waiting on the next read; median of ${config.repeats}`,
    headers: ['entry point', 'heap bytes per stream (median)', 'min–max', 'check'],
    rows: [],
  }
  const perStream: Record<string, number> = {}
  for (const contender of heapContenders()) {
    const heaps: number[] = []
    let check: CheckResult = { ok: true }
    for (let r = 0; r < config.repeats; r++) {
      const holders: Holder[] = []
      gc()
      const before = process.memoryUsage().heapUsed
      try {
        for (let s = 0; s < config.streams; s++) holders.push(await contender.open(eventsOf(prefixes, s)))
      } catch (error) {
        check = { ok: false, detail: `threw ${(error as Error).message}` }
        break
      }
      await settle()
      gc()
      heaps.push((process.memoryUsage().heapUsed - before) / config.streams)
      if (check.ok) {
        const contents = holders.map((h) => h.content())
        // Contenders that cannot show their content say `undefined` while pending (checked: none finished).
        check = contents.every((c) => c === undefined) ? { ok: true } : compare(contents, prefixes.contents, '$contents')
      }
      holders.length = 0
    }
    heaps.sort((a, b) => a - b)
    const value = median(heaps)
    perStream[contender.name] = value
    table.rows.push([
      contender.name,
      Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')} (${(value / 1024).toFixed(1)} KiB)` : '—',
      heaps.length
        ? `${Math.round(heaps[0]!).toLocaleString('en-US')}–${Math.round(heaps[heaps.length - 1]!).toLocaleString('en-US')}`
        : '—',
      check.ok ? 'ok' : `**MISMATCH** ${check.detail ?? ''}`,
    ])
  }
  return { table, perStream }
}

export async function run(config: AdaptersConfig): Promise<ScenarioReport> {
  const { table, ms } = await throughput(config)
  const { table: heapTable, perStream } = await heap(config)
  const core = ms(NAMES.core)
  const esp = ms(NAMES.esp)
  const ratios: PlainTable = {
    kind: 'plain',
    title: 'adapters: throughput relative to core (same run) and to the eventsource-parser stream',
    headers: ['entry point', '× core throughput', '× eventsource-parser stream throughput'],
    rows: Object.values(NAMES).map((name) => [name, (core / ms(name)).toFixed(2), (esp / ms(name)).toFixed(2)]),
  }
  const heapOf = (prefix: string) => Object.entries(perStream).find(([name]) => name.startsWith(prefix))?.[1] ?? NaN
  return {
    id: 'adapters',
    title: 'adapters (events read by the consumer; heap per in-flight stream)',
    tables: [table, ratios, heapTable],
    notes: ['Ratios are taken within this run only; the machine is shared and absolute figures move between runs.'],
    metrics: {
      'adapters.core': core,
      'adapters.decoder': ms(NAMES.decoder),
      'adapters.decoderBatch': ms(NAMES.decoderBatch),
      'adapters.fromResponse': ms(NAMES.fromResponse),
      'adapters.three': ms(NAMES.three),
      'adapters.nodeChain': ms(NAMES.nodeChain),
      'adapters.nodeAccumulate': ms(NAMES.nodeAccumulate),
      'adapters.esp': esp,
      'adapters.heap.decoder': heapOf('web ChatCompletionDecoderStream'),
      'adapters.heap.three': heapOf('web three-class'),
      'adapters.heap.fromResponse': heapOf('web fromResponse'),
      'adapters.heap.nodeChain': heapOf('node three-transform'),
      'adapters.heap.nodeAccumulate': heapOf('node accumulateFromReadable'),
    },
  }
}
