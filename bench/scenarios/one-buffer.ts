/**
 * one-buffer: the chat-text body (8 MB) as one `Uint8Array` (a file read whole, `await
 * res.arrayBuffer()`) beside the same bytes in 64 KiB network pieces and as one string, end to end
 * through the stream parser. The goal: one buffer within 1.3x of the pieces.
 */
import { createChatCompletionStreamParser, decodeText } from '../contenders/one-buffer.js'
import { generateChatText } from '../generators/chat-text.js'
import { checkCompletion } from '../lib/ground-truth.js'
import { measure, type Contender } from '../lib/measure.js'
import type { ScenarioReport, ThroughputTable } from '../lib/report.js'

export interface OneBufferConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  targetBytes: number
  iterations: number
  rounds: number
}

export const full: OneBufferConfig = { seed: 1, targetBytes: 8_000_000, iterations: 1, rounds: 7 }
export const smoke: OneBufferConfig = { quick: true, seed: 1, targetBytes: 300_000, iterations: 1, rounds: 1 }

const PIECE = 64 * 1024

function parse(input: readonly (Uint8Array | string)[]): unknown {
  const parser = createChatCompletionStreamParser()
  for (const piece of input) parser.feed(piece)
  return parser.end()
}

export async function run(config: OneBufferConfig): Promise<ScenarioReport> {
  const generated = generateChatText({ seed: config.seed, targetBytes: config.targetBytes })
  const whole = generated.bytes
  const pieces: Uint8Array[] = []
  for (let start = 0; start < whole.length; start += PIECE) pieces.push(whole.subarray(start, start + PIECE))
  const text = decodeText(whole)
  const check = (result: unknown) => checkCompletion(result, generated.expected)
  const contenders: Contender[] = [
    { name: 'deltafold parser (64 KiB pieces)', peer: 'deltafold', input: 'sync', role: 'reference', run: () => parse(pieces), check },
    { name: 'deltafold parser (one Uint8Array)', peer: 'deltafold', input: 'sync', run: () => parse([whole]), check },
    { name: 'deltafold parser (one string)', peer: 'deltafold', input: 'sync', run: () => parse([text]), check },
  ]
  const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
  const table: ThroughputTable = {
    kind: 'throughput',
    key: 'one-buffer',
    workload: `the chat-text body (${whole.length.toLocaleString('en-US')} B) as ${pieces.length} pieces of 64 KiB, as one Uint8Array, as one string`,
    bytes: whole.length,
    events: generated.eventCount,
    rows,
  }
  const ms = (name: string) => rows.find((row) => row.name === name && row.samples.length > 0)?.medianMs ?? NaN
  const ratio = ms('deltafold parser (one Uint8Array)') / ms('deltafold parser (64 KiB pieces)')
  return {
    id: 'one-buffer',
    title: 'one-buffer (one large Uint8Array vs 64 KiB pieces, same run)',
    tables: [table],
    notes: [`One Uint8Array / 64 KiB pieces: ${ratio.toFixed(2)}x (goal: at most 1.3x).`],
    metrics: {
      'oneBuffer.pieces': ms('deltafold parser (64 KiB pieces)'),
      'oneBuffer.bytes': ms('deltafold parser (one Uint8Array)'),
      'oneBuffer.string': ms('deltafold parser (one string)'),
      'oneBuffer.ratio': ratio,
    },
  }
}
