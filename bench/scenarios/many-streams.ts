/**
 * many-streams: 10,000 concurrent in-flight streams, each fed its first 20 events (role + 19
 * content chunks, one read per event), then held idle. Heap per stream is
 * `(heapUsed after − heapUsed before) / streams`, both after full GCs, with the inputs allocated
 * before the first reading (so they cancel out).
 */
import {
  createChatCompletionAccumulator,
  createChatCompletionStreamParser,
  createSSEDecoder,
  streamChatCompletion,
  type ChatCompletion,
} from '@deltafold/core'
import { createParser } from 'eventsource-parser'
import { createHandAccumulator, type LooseChunk } from '../contenders/hand-accumulator.js'
import { createQueuedOpenAIClient } from '../contenders/openai.js'
import { eventsOf, generateStreamPrefixes, type StreamPrefixes } from '../generators/many-streams.js'
import { gc } from '../lib/gc.js'
import { compare, type CheckResult } from '../lib/ground-truth.js'
import { median } from '../lib/measure.js'
import type { PlainTable, ScenarioReport } from '../lib/report.js'

export interface ManyStreamsConfig {
  seed: number
  streams: number
  eventsPerStream: number
  repeats: number
}

export const full: ManyStreamsConfig = { seed: 9, streams: 10_000, eventsPerStream: 20, repeats: 2 }
export const smoke: ManyStreamsConfig = { seed: 9, streams: 50, eventsPerStream: 20, repeats: 1 }

interface Holder {
  /**
   * Everything a server holds for this stream between reads (what its connection handler keeps
   * referenced): without it, state the content getter does not reach would be collected and not counted.
   */
  state: unknown
  content(): string | null | undefined
  /** Holds no content: checked for having decoded something, not against the contents. */
  decoderOnly?: boolean
}

interface MemoryContender {
  name: string
  /** Creates one stream's state and feeds it its events (async ones resolve once all were consumed). */
  open(events: Uint8Array[]): Holder | Promise<Holder>
  note?: string
}

function fullGC(): void {
  gc()
}

/** A body that delivers `events`, tells when the consumer has asked past them, then stalls. */
function stalledStream(events: Uint8Array[], drained: () => void): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < events.length) {
        controller.enqueue(events[i++]!)
        return
      }
      drained()
      return new Promise<void>(() => {})
    },
  })
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

const sharedDecoder = new TextDecoder()
const payload = (bytes: Uint8Array) => JSON.parse(sharedDecoder.decode(bytes).slice(6)) as LooseChunk

function contenders(): MemoryContender[] {
  const openai = createQueuedOpenAIClient()
  return [
    {
      name: 'deltafold createChatCompletionStreamParser (bytes fed)',
      open(events) {
        const parser = createChatCompletionStreamParser()
        for (const bytes of events) parser.feed(bytes)
        return { state: parser, content: () => parser.snapshot().choices[0]?.message.content }
      },
    },
    {
      name: 'deltafold createChatCompletionAccumulator (parsed chunks pushed)',
      open(events) {
        const accumulator = createChatCompletionAccumulator()
        for (const bytes of events) accumulator.push(payload(bytes))
        return { state: accumulator, content: () => accumulator.snapshot().choices[0]?.message.content }
      },
    },
    {
      name: 'deltafold createSSEDecoder alone (bytes fed, event data summed)',
      open(events) {
        let length = 0
        const decoder = createSSEDecoder({ onEvent: (event) => (length += event.data.length) })
        for (const bytes of events) decoder.feed(bytes)
        return { state: decoder, content: () => (length > 0 ? null : undefined), decoderOnly: true }
      },
    },
    {
      name: 'eventsource-parser + TextDecoder + hand acc',
      open(events) {
        const accumulator = createHandAccumulator()
        const parser = createParser({ onEvent: (event) => accumulator.push(JSON.parse(event.data) as LooseChunk) })
        const decoder = new TextDecoder()
        for (const bytes of events) parser.feed(decoder.decode(bytes, { stream: true }))
        return { state: [parser, decoder, accumulator], content: () => accumulator.result().choices[0]?.message.content }
      },
    },
    {
      name: 'hand accumulation alone (the content and little else)',
      open(events) {
        const accumulator = createHandAccumulator()
        for (const bytes of events) accumulator.push(payload(bytes))
        return { state: accumulator, content: () => accumulator.result().choices[0]?.message.content }
      },
    },
    {
      name: 'deltafold streamChatCompletion(ReadableStream), pending',
      note: 'includes the ReadableStream it reads and its reader',
      async open(events) {
        let drained!: () => void
        const done = new Promise<void>((resolve) => (drained = resolve))
        const stream = streamChatCompletion(stalledStream(events, drained))
        void stream.finalChatCompletion()
        await done
        await settle()
        return { state: stream, content: () => (stream.snapshot() as ChatCompletion).choices[0]?.message.content }
      },
    },
    {
      name: 'openai chat.completions.stream(), pending',
      note: 'includes the ReadableStream, the Response and the SDK request state',
      async open(events) {
        let drained!: () => void
        const done = new Promise<void>((resolve) => (drained = resolve))
        openai.enqueue(new Response(stalledStream(events, drained), { headers: { 'content-type': 'text/event-stream' } }))
        const stream = openai.client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        stream.finalChatCompletion().catch(() => {})
        await done
        await settle()
        return { state: stream, content: () => stream.currentChatCompletionSnapshot?.choices[0]?.message.content }
      },
    },
  ]
}

/**
 * Opens `streams` streams at once with one contender and returns heap bytes per stream.
 */
async function heapPerStream(
  contender: MemoryContender,
  prefixes: StreamPrefixes,
): Promise<{ heap: number; external: number; holders: Holder[] }> {
  const holders: Holder[] = new Array<Holder>(prefixes.streams)
  const pending: Promise<Holder>[] = []
  fullGC()
  const before = process.memoryUsage()
  for (let s = 0; s < prefixes.streams; s++) {
    // The views are made here and dropped after feeding: a contender that keeps them is charged for it.
    const opened = contender.open(eventsOf(prefixes, s))
    if (opened instanceof Promise) pending.push(opened.then((h) => (holders[s] = h)))
    else holders[s] = opened
  }
  await Promise.all(pending)
  await settle()
  fullGC()
  const after = process.memoryUsage()
  return {
    heap: (after.heapUsed - before.heapUsed) / prefixes.streams,
    external: (after.external - before.external) / prefixes.streams,
    holders,
  }
}

export async function run(config: ManyStreamsConfig): Promise<ScenarioReport> {
  const prefixes = generateStreamPrefixes({ seed: config.seed, streams: config.streams, eventsPerStream: config.eventsPerStream })
  const contentBytes = prefixes.contents.reduce((sum, c) => sum + c.length, 0) / config.streams
  const table: PlainTable = {
    kind: 'plain',
    title: `many-streams: ${config.streams.toLocaleString('en-US')} streams in flight, ${config.eventsPerStream} events each (content so far: ${contentBytes.toFixed(0)} UTF-16 units per stream on average); median of ${config.repeats}`,
    headers: ['contender', 'heap bytes per stream (median)', 'min–max', 'external bytes per stream', 'check'],
    rows: [],
  }
  const metrics: Record<string, number> = {}
  for (const contender of contenders()) {
    const heaps: number[] = []
    const externals: number[] = []
    let check: CheckResult = { ok: true }
    for (let r = 0; r < config.repeats; r++) {
      let result: Awaited<ReturnType<typeof heapPerStream>> | undefined
      try {
        result = await heapPerStream(contender, prefixes)
      } catch (error) {
        check = { ok: false, detail: `threw ${(error as Error).message}` }
        break
      }
      heaps.push(result.heap)
      externals.push(result.external)
      if (check.ok) {
        if (result.holders[0]?.decoderOnly) {
          const idle = result.holders.filter((h) => h.content() !== null).length
          if (idle > 0) check = { ok: false, detail: `${idle} decoders dispatched no event` }
        } else
          check = compare(
            result.holders.map((h) => h.content()),
            prefixes.contents,
            '$contents',
          )
      }
      result.holders.length = 0
    }
    heaps.sort((a, b) => a - b)
    externals.sort((a, b) => a - b)
    const heap = median(heaps)
    table.rows.push([
      contender.name + (contender.note ? ` (${contender.note})` : ''),
      Number.isFinite(heap) ? Math.round(heap).toLocaleString('en-US') : '—',
      heaps.length
        ? `${Math.round(heaps[0]!).toLocaleString('en-US')}–${Math.round(heaps[heaps.length - 1]!).toLocaleString('en-US')}`
        : '—',
      externals.length ? Math.round(median(externals)).toLocaleString('en-US') : '—',
      check.ok ? 'ok' : `**MISMATCH** ${check.detail ?? ''}`,
    ])
    if (contender.name.startsWith('deltafold createChatCompletionStreamParser')) metrics['many.parser'] = heap
    if (contender.name.startsWith('deltafold createChatCompletionAccumulator')) metrics['many.accumulator'] = heap
    if (contender.name.startsWith('hand accumulation alone')) metrics['many.hand'] = heap
  }
  return {
    id: 'many-streams',
    title: 'many-streams (heap per idle in-flight stream)',
    tables: [table],
    notes: ['The accumulated content itself is held by every contender; "hand accumulation alone" shows roughly what that costs.'],
    metrics,
  }
}
