// One pull loop under the three formats: chat completions, Anthropic Messages and the Responses API
// share abort, cancel, terminal-event cancel, read failures and the error's partial. The same
// behaviour table runs over each format's accumulate and stream entry points.
import { describe, expect, test } from 'vitest'
import {
  accumulateAnthropicMessage,
  accumulateChatCompletion,
  accumulateResponse,
  DeltafoldError,
  streamAnthropicMessage,
  streamChatCompletion,
  streamResponse,
  type ByteSource,
} from '@deltafold/core'

interface Format {
  name: string
  /** Events up to and including one text delta "Hi": what every failure's partial holds. */
  head: string[]
  /** The terminal event (`[DONE]`, `message_stop`, `response.completed`). */
  terminal: string
  accumulate(source: ByteSource, signal?: AbortSignal): Promise<unknown>
  stream(source: ByteSource, signal?: AbortSignal): { iterate: AsyncIterable<unknown>; final(): Promise<unknown> }
  /** The text the result (or partial) holds. */
  text(result: unknown): string | undefined
}

/** `value` at `path` (keys and indexes), or undefined where the path breaks off. */
function dig(value: unknown, ...path: (string | number)[]): unknown {
  let at = value
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined
  return at
}

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {})

const FORMATS: Format[] = [
  {
    name: 'chat completions',
    head: [
      'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\n',
    ],
    terminal: 'data: [DONE]\n\n',
    accumulate: (source, signal) => accumulateChatCompletion(source, withSignal(signal)),
    stream(source, signal) {
      const s = streamChatCompletion(source, withSignal(signal))
      return { iterate: s, final: () => s.finalChatCompletion() }
    },
    text: (result) => dig(result, 'choices', 0, 'message', 'content') as string | undefined,
  },
  {
    name: 'Anthropic Messages',
    head: [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
    ],
    terminal: 'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    accumulate: (source, signal) => accumulateAnthropicMessage(source, withSignal(signal)),
    stream(source, signal) {
      const s = streamAnthropicMessage(source, withSignal(signal))
      return { iterate: s, final: () => s.finalMessage() }
    },
    text: (result) => dig(result, 'content', 0, 'text') as string | undefined,
  },
  {
    name: 'Responses API',
    head: [
      'data: {"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","role":"assistant","status":"in_progress","content":[]}}\n\n',
      'data: {"type":"response.content_part.added","output_index":0,"content_index":0,"item_id":"m","part":{"type":"output_text","text":"","annotations":[]}}\n\n',
      'data: {"type":"response.output_text.delta","output_index":0,"content_index":0,"item_id":"m","delta":"Hi"}\n\n',
    ],
    terminal:
      'data: {"type":"response.completed","response":{"id":"resp_1","object":"response","created_at":1,"model":"m","status":"completed","output":[],"error":null,"incomplete_details":null}}\n\n',
    accumulate: (source, signal) => accumulateResponse(source, withSignal(signal)),
    stream(source, signal) {
      const s = streamResponse(source, withSignal(signal))
      return { iterate: s, final: () => s.finalResponse() }
    },
    text: (result) => dig(result, 'output', 0, 'content', 0, 'text') as string | undefined,
  },
]

/** A source that hands out `pieces`, then runs `after` on the next read; it records what was read and whether it was cancelled. */
function probe(pieces: string[], after?: () => Promise<string> | string) {
  const seen = { reads: 0, returned: 0 }
  async function* source(): AsyncGenerator<string> {
    try {
      for (const piece of pieces) {
        seen.reads++
        yield piece
      }
      if (after) {
        seen.reads++
        yield await after()
      }
    } finally {
      seen.returned++
    }
  }
  return { source: source(), seen }
}

const never = () => new Promise<string>(() => {})

/** A web stream that hands out `pieces` one per pull, then aborts `controller` with `reason` and stalls; it records its cancels. */
function stallingStream(pieces: string[], controller: AbortController, reason: unknown) {
  const cancels: unknown[] = []
  let i = 0
  const stream = new ReadableStream<string>(
    {
      pull(c) {
        if (i < pieces.length) c.enqueue(pieces[i++]!)
        else {
          controller.abort(reason)
          return never().then(() => {})
        }
      },
      cancel(why) {
        cancels.push(why)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, cancels }
}

describe.each(FORMATS)('$name', (format) => {
  test('the terminal event cancels the source once; nothing after it is read', async () => {
    const { source, seen } = probe([...format.head, format.terminal, 'never read'])
    expect(format.text(await format.accumulate(source))).toBe('Hi')
    expect(seen.reads).toBe(format.head.length + 1)
    expect(seen.returned).toBe(1)
  })

  test('a primitive abort reason rejects aborted, with the reason as cause and the partial result', async () => {
    const controller = new AbortController()
    const { stream, cancels } = stallingStream(format.head, controller, 'stop')
    const error = (await format.accumulate(stream, controller.signal).catch((e: unknown) => e)) as DeltafoldError
    expect(error).toBeInstanceOf(DeltafoldError)
    expect(error).toMatchObject({ code: 'aborted', cause: 'stop' })
    expect(format.text(error.partial)).toBe('Hi')
    expect(cancels).toEqual(['stop'])
    expect(stream.locked).toBe(false)
  })

  test('an object abort reason rejects as it is, carrying a non-enumerable partial', async () => {
    const controller = new AbortController()
    const reason = new Error('user pressed stop')
    const { stream, cancels } = stallingStream(format.head, controller, reason)
    await expect(format.accumulate(stream, controller.signal)).rejects.toBe(reason)
    expect(cancels).toEqual([reason])
    expect(Object.keys(reason)).not.toContain('partial')
    expect(format.text((reason as unknown as { partial: unknown }).partial)).toBe('Hi')
  })

  test('a failing read is stream_failed with the read error as cause and the partial result', async () => {
    const cause = new Error('socket hang up')
    const { source } = probe(format.head, () => Promise.reject(cause))
    const error = (await format.accumulate(source).catch((e: unknown) => e)) as DeltafoldError
    expect(error).toMatchObject({ code: 'stream_failed', cause })
    expect(format.text(error.partial)).toBe('Hi')
  })

  test('breaking out of the events cancels the source once; the final result rejects aborted with the partial', async () => {
    const { source, seen } = probe([...format.head, format.terminal])
    const stream = format.stream(source)
    let events = 0
    for await (const _ of stream.iterate) if (++events === 1) break
    const error = (await stream.final().catch((e: unknown) => e)) as DeltafoldError
    expect(error).toMatchObject({ code: 'aborted' })
    expect(error.partial).toBeDefined()
    expect(seen.returned).toBe(1)
    expect(seen.reads).toBe(1)
  })

  test('on a failure the events decoded before it are handed out first, then the error', async () => {
    const cause = new Error('socket hang up')
    const { source } = probe([format.head.join('')], () => Promise.reject(cause))
    const stream = format.stream(source)
    let events = 0
    const error = await (async () => {
      for await (const _ of stream.iterate) events++
    })().catch((e: unknown) => e)
    expect(events).toBeGreaterThanOrEqual(format.head.length)
    expect(error).toMatchObject({ code: 'stream_failed', cause })
    await expect(stream.final()).rejects.toBe(error)
  })
})
