/**
 * gateway: what a proxy pays to get the final completion of a stream it forwards. The ~5 MB
 * chat-text stream (network chunks of 1–8192 random bytes) is read through
 *
 * - a bare `body.pipeThrough(new TransformStream())`, drained: the pass-through floor;
 * - the `tee()` pattern: one branch drained (the client), `accumulateChatCompletion` on the other;
 * - `body.pipeThrough(new ChatCompletionTapStream())`, drained, then `finalChatCompletion()`.
 *
 * The tap must beat the tee pattern and add little to the floor. A second table times normalize
 * (bytes → canonical bytes) against core's fold of the same bytes (bytes → completion).
 */
import {
  accumulateChatCompletion,
  createChatCompletionNormalizer,
  createChatCompletionStreamParser,
  type ChatCompletion,
} from '@deltafold/core'
import { ChatCompletionNormalizeStream, ChatCompletionTapStream } from '@deltafold/web'
import { toReadableStream } from '../contenders/readable.js'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { checkCompletion, type CheckResult } from '../lib/ground-truth.js'
import { measure, type Contender } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import { findRow, fmtRatio, speedup, type ScenarioReport, type ThroughputTable } from '../lib/report.js'

export interface GatewayConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  targetBytes: number
  iterations: number
  rounds: number
}

export const full: GatewayConfig = { seed: 14, targetBytes: 5_000_000, iterations: 2, rounds: 5 }
export const smoke: GatewayConfig = { quick: true, seed: 14, targetBytes: 30_000, iterations: 1, rounds: 1 }

/** Reads a stream to its end; returns the bytes read (what the client of a proxy receives). */
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader()
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return bytes
    bytes += value.byteLength
  }
}

/** The bytes of a normalizer's output, folded by core: what a client of the normalized stream gets. */
function foldText(text: string): ChatCompletion {
  const parser = createChatCompletionStreamParser()
  parser.feed(text)
  return parser.end()
}

export async function run(config: GatewayConfig): Promise<ScenarioReport> {
  const generated = generateChatText({ seed: config.seed, targetBytes: config.targetBytes })
  const chunks = splitRandom(generated.bytes, createRandom(config.seed + 1), 1, 8192)
  const total = generated.bytes.length
  const check = (result: unknown) => checkCompletion(result, generated.expected)
  const checkBytes = (result: unknown): CheckResult =>
    result === total ? { ok: true } : { ok: false, detail: `read ${String(result)} bytes, expected ${total}` }
  const checkPassed = (result: { bytes: number; completion: unknown }): CheckResult =>
    result.bytes === total ? check(result.completion) : checkBytes(result.bytes)

  const tapRows = await measure(
    [
      {
        name: 'bare body.pipeThrough(new TransformStream()), drained',
        peer: 'floor',
        input: 'stream',
        role: 'floor',
        run: () => drain(toReadableStream(chunks).pipeThrough(new TransformStream())),
        check: checkBytes,
      },
      {
        name: 'tee(): one branch drained, accumulateChatCompletion on the other',
        peer: 'deltafold',
        input: 'stream',
        run: async () => {
          const [client, fold] = toReadableStream(chunks).tee()
          const [bytes, completion] = await Promise.all([drain(client), accumulateChatCompletion(fold)])
          return { bytes, completion }
        },
        check: checkPassed,
      },
      {
        name: 'body.pipeThrough(new ChatCompletionTapStream()), drained, finalChatCompletion()',
        peer: 'deltafold',
        input: 'stream',
        role: 'reference',
        run: async () => {
          const tap = new ChatCompletionTapStream()
          const bytes = await drain(toReadableStream(chunks).pipeThrough(tap))
          return { bytes, completion: await tap.finalChatCompletion() }
        },
        check: checkPassed,
      },
    ] satisfies Contender<any>[],
    { iterations: config.iterations, rounds: config.rounds, gc: !config.quick },
  )
  const normalizeRows = await measure(
    [
      {
        name: 'deltafold createChatCompletionStreamParser (bytes → completion)',
        peer: 'deltafold',
        input: 'sync',
        role: 'reference',
        run: () => {
          const parser = createChatCompletionStreamParser()
          for (const bytes of chunks) parser.feed(bytes)
          return parser.end()
        },
        check,
      },
      {
        name: 'deltafold createChatCompletionNormalizer (bytes → canonical SSE text)',
        peer: 'deltafold',
        input: 'sync',
        run: () => {
          const normalizer = createChatCompletionNormalizer()
          const out: string[] = []
          for (const bytes of chunks) out.push(normalizer.feed(bytes))
          out.push(normalizer.end())
          return out.join('')
        },
        check: (text: string) => check(foldText(text)),
      },
      {
        name: 'body.pipeThrough(new ChatCompletionNormalizeStream()), drained',
        peer: 'deltafold',
        input: 'stream',
        run: async () => {
          const out: Uint8Array[] = []
          const reader = toReadableStream(chunks).pipeThrough(new ChatCompletionNormalizeStream()).getReader()
          for (;;) {
            const { done, value } = await reader.read()
            if (done) break
            out.push(value)
          }
          return out
        },
        check: (out: Uint8Array[]) => check(foldText(new TextDecoder().decode(Buffer.concat(out)))),
      },
    ] satisfies Contender<any>[],
    { iterations: config.iterations, rounds: config.rounds, gc: !config.quick },
  )
  const workload = `chat-text: ${generated.contentDeltas.toLocaleString('en-US')} content chunks, ${chunks.length.toLocaleString('en-US')} network chunks of 1–8192 B`
  const tapTable: ThroughputTable = {
    kind: 'throughput',
    key: 'gateway-tap',
    workload: `gateway tap, ${workload}`,
    bytes: total,
    events: generated.eventCount,
    rows: tapRows,
  }
  const normalizeTable: ThroughputTable = {
    kind: 'throughput',
    key: 'gateway-normalize',
    workload: `gateway normalize, ${workload}`,
    bytes: total,
    events: generated.eventCount,
    rows: normalizeRows,
  }
  const bare = findRow(tapTable, { role: 'floor' })
  const tap = findRow(tapTable, { role: 'reference' })
  const tee = tapRows.find((row) => row.name.startsWith('tee()') && row.samples.length > 0)
  const core = findRow(normalizeTable, { role: 'reference' })
  const normalize = normalizeRows.find((row) => row.name.includes('createChatCompletionNormalizer') && row.samples.length > 0)
  return {
    id: 'gateway',
    title: 'gateway (tap: fold a forwarded stream; normalize: canonical OpenAI stream)',
    tables: [tapTable, normalizeTable],
    notes: [
      `Tap vs tee(): ${fmtRatio(speedup(tap, tee))} faster; tap vs the bare pass-through: ${fmtRatio((tap?.medianMs ?? NaN) / (bare?.medianMs ?? NaN))} its time.`,
      `Normalize takes ${fmtRatio((normalize?.medianMs ?? NaN) / (core?.medianMs ?? NaN))} the time of core's fold of the same bytes (it folds them too, to check each chunk, and writes every chunk back as JSON).`,
    ],
    metrics: {
      'gateway.bare': bare?.medianMs ?? NaN,
      'gateway.tee': tee?.medianMs ?? NaN,
      'gateway.tap': tap?.medianMs ?? NaN,
      'gateway.core': core?.medianMs ?? NaN,
      'gateway.normalize': normalize?.medianMs ?? NaN,
    },
  }
}
