import { getEventListeners } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import {
  accumulateChatCompletion,
  streamChatCompletion,
  type ChatCompletion,
  type ChatCompletionStreamOptions,
  type CompletionEvent,
} from '@deltafold/core'
import { accumulateFromReadable, createChunkTransform, createEventTransform, createSSEDecoderTransform } from '@deltafold/node'
import {
  ChatCompletionChunkStream,
  ChatCompletionDecoderStream,
  ChatCompletionEventStream,
  fromResponse,
  SSEDecoderStream,
} from '@deltafold/web'

/** A loosely typed wire object: tests build shapes our types do not describe. */
export type Loose = Record<string, unknown>

const encoder = new TextEncoder()

// ---------------------------------------------------------------------------------------------
// Wire text

/** `data: <payload>\n\n` per payload; objects are JSON-encoded, strings written as they are (so `1e400` and `__proto__` keys survive). */
export function sse(...payloads: Array<object | string>): string {
  return payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('')
}

/** A `chat.completion.chunk` with the given choices. */
export function chunk(choices: unknown[], extra: Loose = {}): Loose {
  return { id: 'chatcmpl-r', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', choices, ...extra }
}

/** A chunk whose choice 0 carries `content` (and `finish_reason`). */
export function content(text: string, finish: string | null = null): Loose {
  return chunk([{ index: 0, delta: { content: text }, finish_reason: finish }])
}

// ---------------------------------------------------------------------------------------------
// Prototypes

/** The own keys of `Object.prototype` and `Array.prototype`. */
export interface PrototypeState {
  object: string[]
  array: string[]
}

export function prototypeState(): PrototypeState {
  return {
    object: Object.getOwnPropertyNames(Object.prototype).sort(),
    array: Object.getOwnPropertyNames(Array.prototype).sort(),
  }
}

/** Asserts the prototypes kept exactly the own keys they had and no plain object sees a `polluted` key. */
export function expectPrototypesUntouched(before: PrototypeState): void {
  expect(prototypeState()).toEqual(before)
  expect(({} as Loose).polluted).toBeUndefined()
  expect(([] as unknown as Loose).polluted).toBeUndefined()
}

// ---------------------------------------------------------------------------------------------
// Scripted byte sources that count what the pipeline did to them

/** One pull of a scripted source: bytes to serve, or a failure of that read. */
export type Step = string | Uint8Array | { error: unknown }

/** How a scripted source behaves once its steps are used up. */
export type SourceEnd = 'close' | 'stall'

/** What a scripted source saw. */
export interface Probe {
  /** Pulls (web) or `_read` calls (node). */
  pulls: number
  /** Reasons of the web source's `cancel` calls; for node, the errors `_destroy` was called with. */
  cancels: unknown[]
}

/**
 * A `ReadableStream` serving one step per pull, then closing or staying open (`stall`) until
 * cancelled. `cancels` records every call of the underlying source's `cancel`.
 */
export function webSource(
  steps: readonly Step[],
  end: SourceEnd = 'close',
  onPull?: (pulls: number) => void,
  cancelFails?: boolean,
): { stream: ReadableStream<Uint8Array>; probe: Probe } {
  const probe: Probe = { pulls: 0, cancels: [] }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const step = steps[probe.pulls++]
        onPull?.(probe.pulls)
        if (step === undefined) {
          if (end === 'close') controller.close()
          // 'stall': never enqueue again; the pending read waits until the stream is cancelled.
          return
        }
        if (typeof step === 'object' && !(step instanceof Uint8Array)) controller.error(step.error)
        else controller.enqueue(typeof step === 'string' ? encoder.encode(step) : step)
      },
      cancel(reason) {
        probe.cancels.push(reason)
        if (cancelFails) throw new Error('cancel failed')
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, probe }
}

/**
 * A Node `Readable` serving one step per `_read`, then ending or staying silent (`stall`) until
 * destroyed. `cancels` records every `_destroy` call (a failing step destroys it, and counts too).
 */
export function nodeSource(
  steps: readonly Step[],
  end: SourceEnd = 'close',
  onPull?: (pulls: number) => void,
  cancelFails?: boolean,
): { readable: Readable; probe: Probe } {
  const probe: Probe = { pulls: 0, cancels: [] }
  const readable = new Readable({
    highWaterMark: 1,
    read() {
      const step = steps[probe.pulls++]
      onPull?.(probe.pulls)
      if (step === undefined) {
        if (end === 'close') this.push(null)
        return
      }
      if (typeof step === 'object' && !(step instanceof Uint8Array)) this.destroy(step.error as Error)
      else this.push(Buffer.from(typeof step === 'string' ? encoder.encode(step) : step))
    },
    destroy(error, callback) {
      probe.cancels.push(error)
      callback(cancelFails ? new Error('destroy failed') : error)
    },
  })
  return { readable, probe }
}

// ---------------------------------------------------------------------------------------------
// Every entry point of the bytes → completion pipeline, driven the same way

/** The entry points: core's two, web's three (the `Response` one, `ChatCompletionDecoderStream` and the three-class chain), node's two. */
export const SURFACES = [
  'core.accumulate',
  'core.stream',
  'web.fromResponse',
  'web.decoder',
  'web.chain',
  'node.accumulate',
  'node.pipeline',
] as const
export type Surface = (typeof SURFACES)[number]
/** The entry points that hand out events to a consumer loop (the others only return the completion). */
export const LOOP_SURFACES = [
  'core.stream',
  'web.fromResponse',
  'web.decoder',
  'web.chain',
  'node.pipeline',
] as const satisfies readonly Surface[]

/** Options of {@link runSurface}. */
export interface RunOptions extends ChatCompletionStreamOptions {
  /** Called with each event the consumer loop receives; returning `'break'` leaves the loop. */
  onConsumed?: (event: CompletionEvent, index: number) => 'break' | void | Promise<'break' | void>
  /** Called when the source is pulled (after the pull count is incremented), before it answers. */
  onPull?: (pulls: number) => void
  /** The source's cancel throws (web) or its destroy fails with another error (node). */
  cancelFails?: boolean
  /** Called with the source before the run starts. */
  onSource?: (source: ReadableStream<Uint8Array> | Readable) => void
}

/** What one run of an entry point produced. */
export interface RunResult {
  surface: Surface
  completion: ChatCompletion | undefined
  /** The error the run rejected with (the consumer loop's, or the promise's). */
  error: unknown
  /** The rejection of `finalChatCompletion()` where the surface has one, else `error`. */
  finalError: unknown
  /** Events the consumer loop received (empty for the surfaces without one). */
  events: CompletionEvent[]
  snapshot: () => ChatCompletion
  probe: Probe
  /** The web source (for `locked`), or the node source (for `destroyed` and listener counts). */
  source: ReadableStream<Uint8Array> | Readable
  /** The signal's 'abort' listeners left behind. */
  abortListeners: number
  /** Listeners left on the node source, by event (none for web sources). */
  sourceListeners: Record<string, number>
}

const SSE_HEADERS = { 'content-type': 'text/event-stream' }

/** Runs `steps` through one entry point, consuming it the way an application would. Never throws. */
export async function runSurface(surface: Surface, steps: readonly Step[], end: SourceEnd, options: RunOptions = {}): Promise<RunResult> {
  const { onConsumed, onPull, cancelFails, onSource, ...pipelineOptions } = options
  const { maxEventBytes, signal, ...accumulatorOptions } = pipelineOptions
  const events: CompletionEvent[] = []
  let completion: ChatCompletion | undefined
  let error: unknown
  let finalError: unknown
  let snapshot: () => ChatCompletion
  let probe: Probe
  let source: ReadableStream<Uint8Array> | Readable

  /** Consumes an async iterable of events, until it ends or `onConsumed` says 'break'. */
  async function consume(iterable: AsyncIterable<CompletionEvent>): Promise<void> {
    for await (const event of iterable) {
      events.push(event)
      if ((await onConsumed?.(event, events.length - 1)) === 'break') return
    }
  }
  const settle = async (final: () => Promise<ChatCompletion>) => {
    try {
      completion = await final()
    } catch (e) {
      finalError = e
      completion = undefined
    }
  }

  if (surface.startsWith('node.')) {
    const made = nodeSource(steps, end, onPull, cancelFails)
    probe = made.probe
    source = made.readable
  } else {
    const made = webSource(steps, end, onPull, cancelFails)
    probe = made.probe
    source = made.stream
  }

  onSource?.(source)

  switch (surface) {
    case 'core.accumulate': {
      let snap: ChatCompletion | undefined
      snapshot = () => snap!
      try {
        completion = await accumulateChatCompletion(source as ReadableStream<Uint8Array>, {
          ...pipelineOptions,
          onEvent: (event) => {
            if (event.type === 'done') snap = event.completion
            pipelineOptions.onEvent?.(event)
          },
        })
      } catch (e) {
        error = finalError = e
      }
      snapshot = () => snap ?? ((finalError as Loose | undefined)?.partial as ChatCompletion)
      break
    }
    case 'core.stream': {
      const stream = streamChatCompletion(source as ReadableStream<Uint8Array>, pipelineOptions)
      snapshot = stream.snapshot
      try {
        await consume(stream)
      } catch (e) {
        error = e
      }
      await settle(() => stream.finalChatCompletion())
      break
    }
    case 'web.fromResponse': {
      const stream = fromResponse(new Response(source as ReadableStream<Uint8Array>, { headers: SSE_HEADERS }), pipelineOptions)
      snapshot = stream.snapshot
      try {
        await consume(stream.events)
      } catch (e) {
        error = e
      }
      await settle(() => stream.finalChatCompletion())
      break
    }
    case 'web.decoder': {
      const decoder = new ChatCompletionDecoderStream(pipelineOptions)
      snapshot = () => decoder.snapshot()
      try {
        await consume((source as ReadableStream<Uint8Array>).pipeThrough(decoder))
      } catch (e) {
        error = e
      }
      await settle(() => decoder.finalChatCompletion())
      break
    }
    case 'web.chain': {
      const eventStream = new ChatCompletionEventStream(accumulatorOptions)
      snapshot = () => eventStream.snapshot()
      const decoderOptions = maxEventBytes === undefined ? { dispatchUnterminated: true } : { dispatchUnterminated: true, maxEventBytes }
      const readable = (source as ReadableStream<Uint8Array>)
        .pipeThrough(new SSEDecoderStream(decoderOptions), signal ? { signal } : {})
        .pipeThrough(new ChatCompletionChunkStream())
        .pipeThrough(eventStream)
      try {
        await consume(readable as ReadableStream<CompletionEvent> & AsyncIterable<CompletionEvent>)
      } catch (e) {
        error = e
      }
      await settle(() => eventStream.finalChatCompletion())
      break
    }
    case 'node.accumulate': {
      let snap: ChatCompletion | undefined
      try {
        completion = await accumulateFromReadable(source as Readable, {
          ...pipelineOptions,
          onEvent: (event) => {
            if (event.type === 'done') snap = event.completion
            pipelineOptions.onEvent?.(event)
          },
        })
      } catch (e) {
        error = finalError = e
      }
      snapshot = () => snap ?? ((finalError as Loose | undefined)?.partial as ChatCompletion)
      break
    }
    case 'node.pipeline': {
      const eventTransform = createEventTransform(accumulatorOptions)
      snapshot = () => eventTransform.snapshot()
      const decoderOptions = maxEventBytes === undefined ? { dispatchUnterminated: true } : { dispatchUnterminated: true, maxEventBytes }
      try {
        await pipeline(
          source as Readable,
          createSSEDecoderTransform(decoderOptions),
          createChunkTransform(),
          eventTransform,
          async (iterable: AsyncIterable<CompletionEvent>) => consume(iterable),
          signal ? { signal } : {},
        )
      } catch (e) {
        error = e
      }
      await settle(() => eventTransform.finalChatCompletion())
      break
    }
  }
  // Let a destroyed node source finish its teardown ('error'/'close' come a tick after destroy())
  // before counting what listeners are left on it.
  if (source instanceof Readable) await new Promise((resolve) => setImmediate(resolve))
  return {
    surface,
    completion,
    error,
    finalError,
    events,
    snapshot: snapshot!,
    probe,
    source,
    abortListeners: signal ? getEventListeners(signal, 'abort').length : 0,
    sourceListeners: source instanceof Readable ? listenerCounts(source) : {},
  }
}

/**
 * Records the 'error' events `emitter` emits while nobody listens for them, instead of letting
 * EventEmitter throw them (an uncaught exception that would end the process). Returns the list.
 */
export function unheardErrors(emitter: Readable): unknown[] {
  const unheard: unknown[] = []
  const emit = emitter.emit.bind(emitter)
  emitter.emit = ((name: string | symbol, ...args: unknown[]) => {
    if (name === 'error' && emitter.listenerCount('error') === 0) {
      unheard.push(args[0])
      return false
    }
    return emit(name, ...args)
  }) as typeof emitter.emit
  return unheard
}

/** The listeners on a node stream, by event name (events without any left out). */
export function listenerCounts(stream: Readable): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of stream.eventNames())
    if (typeof name === 'string' && stream.listenerCount(name) > 0) counts[name] = stream.listenerCount(name)
  return counts
}

/** True when the web source is unlocked, or the node source destroyed or ended (nothing holds it). */
export function released(source: ReadableStream<Uint8Array> | Readable): boolean {
  return source instanceof ReadableStream ? !source.locked : source.destroyed || source.readableEnded
}

// ---------------------------------------------------------------------------------------------
// Leak checks

/** Counts of the active libuv handles and requests (`process.getActiveResourcesInfo()`) by type. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Resource types a leak would show up as: timers, immediates, sockets and servers. */
const WATCHED = ['Timeout', 'Immediate', 'TCPSocketWrap', 'TCPServerWrap', 'TTYWrap', 'PipeWrap']

/** The watched resource counts that grew since `before` (empty when nothing leaked). */
export function grownResources(before: Record<string, number>): Record<string, number> {
  const now = activeResources()
  const grown: Record<string, number> = {}
  for (const type of WATCHED) if ((now[type] ?? 0) > (before[type] ?? 0)) grown[type] = (now[type] ?? 0) - (before[type] ?? 0)
  return grown
}

/** Polls `check` until it holds (true) or about a second passes; returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const RECORDED = fileURLToPath(new URL('../fixtures/recorded/', import.meta.url))

/** Every recorded provider stream (`test/fixtures/recorded/**.sse`), as [name, bytes]. */
export function recordedFixtures(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sse')) out.push([relative(RECORDED, path), new Uint8Array(readFileSync(path))])
    }
  }
  walk(RECORDED)
  return out.sort(([a], [b]) => a.localeCompare(b))
}

/** The vendored JSONTestSuite `test_parsing` files (MIT, nst/JSONTestSuite), as name and text. */
export function jsonTestSuite(): Array<{ name: string; input: string }> {
  const url = new URL('../../packages/core/test/fixtures/JSONTestSuite/test_parsing.json', import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as Array<{ name: string; input: string }>
}
