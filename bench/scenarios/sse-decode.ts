/**
 * sse-decode: SSE decoding alone (no JSON, no accumulation) of the chat-text body, on byte input
 * (network chunks) and on string input (the same chunks decoded beforehand). eventsource-parser
 * takes only strings, so on bytes it is fed through a streaming TextDecoder, as its users do.
 */
import { deltafoldDecode } from '../contenders/deltafold.js'
import { eventsourceParserDecode } from '../contenders/eventsource-parser.js'
import { floorFrame } from '../contenders/floor.js'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom, type GeneratedStream } from '../generators/common.js'
import type { CheckResult } from '../lib/ground-truth.js'
import { measure, type Contender } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import type { ScenarioReport, ThroughputTable } from '../lib/report.js'

export interface SSEDecodeConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  targetBytes: number
  iterations: number
  rounds: number
}

export const full: SSEDecodeConfig = { seed: 1, targetBytes: 20_000_000, iterations: 2, rounds: 5 }
export const smoke: SSEDecodeConfig = { quick: true, seed: 1, targetBytes: 30_000, iterations: 1, rounds: 1 }

function checkDecoded(result: unknown, generated: GeneratedStream): CheckResult {
  const r = result as { events: number; dataLength: number }
  if (r.events !== generated.eventCount) return { ok: false, detail: `events: got ${r.events}, expected ${generated.eventCount}` }
  if (r.dataLength !== generated.dataLength)
    return { ok: false, detail: `data length: got ${r.dataLength}, expected ${generated.dataLength}` }
  return { ok: true }
}

export async function run(config: SSEDecodeConfig): Promise<ScenarioReport> {
  const generated = generateChatText({ seed: config.seed, targetBytes: config.targetBytes })
  const bytes = splitRandom(generated.bytes, createRandom(config.seed + 1), 1, 8192)
  const decoder = new TextDecoder()
  const strings = bytes.map((chunk) => decoder.decode(chunk, { stream: true }))
  const check = (result: unknown) => checkDecoded(result, generated)
  const tables: ThroughputTable[] = []
  for (const [kind, chunks] of [
    ['bytes', bytes],
    ['string', strings],
  ] as const) {
    const contenders: Contender[] = [
      {
        name: `deltafold createSSEDecoder (${kind})`,
        peer: 'deltafold',
        input: 'sync',
        role: 'reference',
        run: () => deltafoldDecode(chunks),
        check,
      },
      {
        name: kind === 'bytes' ? 'eventsource-parser (TextDecoder → feed)' : 'eventsource-parser (string)',
        peer: 'eventsource-parser',
        input: 'sync',
        run: () => eventsourceParserDecode(chunks),
        check,
      },
      { name: `floor: indexOf framing only (${kind})`, peer: 'floor', input: 'sync', role: 'floor', run: () => floorFrame(chunks), check },
    ]
    const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
    tables.push({
      kind: 'throughput',
      key: `sse-${kind}`,
      workload: `SSE decoding alone, ${kind} input: the chat-text body in ${chunks.length.toLocaleString('en-US')} chunks`,
      bytes: generated.bytes.length,
      events: generated.eventCount,
      rows,
    })
  }
  const ms = (table: ThroughputTable, peer: string) =>
    table.rows.find((row) => row.peer === peer && row.samples.length > 0)?.medianMs ?? NaN
  return {
    id: 'sse-decode',
    title: 'SSE decoding alone (deltafold decoder vs eventsource-parser)',
    tables,
    notes: ['Throughput counts the UTF-8 bytes of the body for both inputs, so the two tables compare directly.'],
    metrics: {
      'sse.bytes.deltafold': ms(tables[0]!, 'deltafold'),
      'sse.bytes.esp': ms(tables[0]!, 'eventsource-parser'),
      'sse.string.deltafold': ms(tables[1]!, 'deltafold'),
      'sse.string.esp': ms(tables[1]!, 'eventsource-parser'),
    },
  }
}
