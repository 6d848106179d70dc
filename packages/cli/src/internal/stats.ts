import { performance } from 'node:perf_hooks'

/** Counters behind `--stats`. */
export interface Stats {
  bytes: number
  /** SSE events (`sse`) or typed CompletionEvents (other commands). */
  events: number
  /** `chat.completion.chunk` objects (not counted by `sse`). */
  chunks: number
  /** Milliseconds from the start to the first content, reasoning, refusal or tool-call delta. */
  firstToken: number | undefined
  /** Records the first token now, once. */
  token(): void
  /** The one-line report. */
  format(): string
}

/**
 * Starts counting. `start` is `performance.now()` at the beginning of the work being measured: before
 * the request for `fetch`, before opening the file otherwise.
 */
export function createStats(start: number, kind: 'sse' | 'chat'): Stats {
  const stats: Stats = {
    bytes: 0,
    events: 0,
    chunks: 0,
    firstToken: undefined,
    token() {
      stats.firstToken ??= performance.now() - start
    },
    format() {
      const ms = performance.now() - start
      const parts = [`${group(stats.bytes)} bytes`]
      if (kind === 'chat') parts.push(`${group(stats.chunks)} chunks`, `${group(stats.events)} events`)
      else parts.push(`${group(stats.events)} events`)
      const rate = stats.bytes / 1e6 / (Math.max(ms, 0.001) / 1000)
      parts.push(duration(ms), `${rate.toFixed(rate < 10 ? 2 : 1)} MB/s`)
      if (kind === 'chat') parts.push(`first token ${stats.firstToken === undefined ? 'none' : duration(stats.firstToken)}`)
      return parts.join(' · ')
    },
  }
  return stats
}

/** Wraps a byte source so that every chunk read is counted; cancellation passes through. */
export async function* countBytes(
  source: AsyncIterable<Uint8Array | string>,
  stats: Stats,
): AsyncGenerator<Uint8Array | string, void, undefined> {
  for await (const chunk of source) {
    stats.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    yield chunk
  }
}

function group(n: number): string {
  return n.toLocaleString('en-US')
}

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`
}
