import { createChatCompletionStreamParser, type ChatCompletionStreamOptions, type CompletionEvent } from '@deltafold/core'

/**
 * Everything observable about one stream-parser run, serialized so that two runs compare byte for
 * byte: key order, `undefined` members, `-0`, error classes and fields. Events are serialized when
 * they are emitted (a `partial` is a live value that later events keep filling in).
 */
export interface Observed {
  events: string[]
  completion: string
  error: string
  snapshot: string
  eventCount: number
  sawDone: boolean
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value === undefined) return '<undefined>'
  if (typeof value === 'number' && Object.is(value, -0)) return '<-0>'
  if (value instanceof Error) {
    const e = value as Error & Record<string, unknown>
    return {
      class: e.constructor.name,
      name: e.name,
      message: e.message,
      code: e.code,
      path: e.path,
      eventNumber: e.eventNumber,
      byteOffset: e.byteOffset,
      data: e.data,
      status: e.status,
      error: e.error,
      partial: e.partial,
      cause: e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message}` : e.cause,
      own: Object.keys(e).sort(),
    }
  }
  return value
}

/** JSON with everything {@link Observed} needs to tell apart. */
export function serialize(value: unknown): string {
  return JSON.stringify(value, replacer) ?? '<undefined>'
}

/** Options of {@link observe}. */
export interface ObserveOptions extends ChatCompletionStreamOptions {
  /** Listen to events (the fast path then builds `chunk` events); default true. */
  listen?: boolean
  /** Makes, for each run, a function called with each event before it is recorded (to mutate or throw, as a listener may). */
  tap?: () => (event: CompletionEvent) => void
}

/** Feeds `pieces` to a fresh stream parser and ends it; never throws. */
export function observe(pieces: Iterable<string | Uint8Array>, options: ObserveOptions = {}): Observed {
  const { listen = true, tap, ...parserOptions } = options
  const events: string[] = []
  const each = tap?.()
  const parser = createChatCompletionStreamParser(
    listen
      ? {
          ...parserOptions,
          onEvent(event) {
            each?.(event)
            events.push(serialize(event))
          },
        }
      : parserOptions,
  )
  let completion: unknown
  let error: unknown
  try {
    for (const piece of pieces) parser.feed(piece)
    completion = parser.end()
  } catch (e) {
    error = e
  }
  return {
    events,
    completion: serialize(completion),
    error: serialize(error),
    snapshot: serialize(parser.snapshot()),
    eventCount: parser.eventCount,
    sawDone: parser.sawDone,
  }
}

/** The same run with the fast path on and off. */
export function both(pieces: readonly (string | Uint8Array)[], options: ObserveOptions = {}): { fast: Observed; generic: Observed } {
  return { fast: observe(pieces, { ...options, fastPath: true }), generic: observe(pieces, { ...options, fastPath: false }) }
}

/** SSE text of raw payloads, one `data:` line each, then `[DONE]` unless `done` is false. */
export function sse(payloads: readonly string[], done = true): string {
  return payloads.map((p) => `data: ${p}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '')
}

/** OpenAI's chunk envelope around a choice's delta (`delta` is JSON text), with a varying `obfuscation`. */
export function openai(delta: string, options: { choice?: string; finish?: string; obfuscation?: string; index?: string } = {}): string {
  return (
    '{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,' +
    '"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf",' +
    `"choices":[{"index":${options.index ?? '0'},"delta":${delta},"logprobs":null,"finish_reason":${options.finish ?? 'null'}${options.choice ?? ''}}],` +
    `"usage":null,"obfuscation":"${options.obfuscation ?? 'xYz'}"}`
  )
}

/** A content delta's JSON text for a JSON string body (already escaped). */
export const content = (body: string): string => `{"content":"${body}"}`

/** A tool-call arguments continuation's JSON text. */
export const args = (body: string, index = '0'): string => `{"tool_calls":[{"index":${index},"function":{"arguments":"${body}"}}]}`
