/**
 * long-event: one event whose `data:` line is 4, 8 and 16 MiB, arriving in 1,460-byte chunks (one
 * TCP segment each). Work must stay linear in the line length: the scaling table prints time ratios
 * between sizes divided by the size ratio (1.00 = linear, 2.00 at ×2 size = quadratic).
 *
 * The openai SDK re-copies its whole buffer on every chunk (`iterSSEChunks` concatenates, then
 * scans for the blank line from the start), so it is quadratic here: it runs on 0.25–1 MiB only.
 */
import { aiSdkAccumulate } from '../contenders/ai-sdk.js'
import { deltafoldAccumulate, deltafoldDecode, deltafoldParse } from '../contenders/deltafold.js'
import { eventsourceParserAccumulate, eventsourceParserDecode } from '../contenders/eventsource-parser.js'
import { floorAccumulate, floorFrame } from '../contenders/floor.js'
import { createOpenAIClient, openaiChatCompletionStream } from '../contenders/openai.js'
import { splitFixed, type GeneratedStream } from '../generators/common.js'
import { generateLongEvent } from '../generators/long-event.js'
import { checkCompletion, type CheckResult } from '../lib/ground-truth.js'
import { measure, median, timeDirect, type Contender, type Row } from '../lib/measure.js'
import { fmt, mbps, type PlainTable, type ScenarioReport, type ThroughputTable } from '../lib/report.js'

export interface LongEventConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  /** Event sizes in bytes; the middle one gets the throughput table. */
  sizes: number[]
  /** Smaller sizes for the quadratic openai SDK. */
  openaiSizes: number[]
  segment: number
  iterations: number
  rounds: number
}

const MiB = 1024 * 1024
export const full: LongEventConfig = {
  seed: 7,
  sizes: [4 * MiB, 8 * MiB, 16 * MiB],
  openaiSizes: [MiB / 4, MiB / 2, MiB],
  segment: 1460,
  iterations: 1,
  rounds: 4,
}
export const smoke: LongEventConfig = {
  quick: true,
  seed: 7,
  sizes: [16 * 1024, 32 * 1024, 64 * 1024],
  openaiSizes: [8 * 1024, 16 * 1024],
  segment: 1460,
  iterations: 1,
  rounds: 1,
}

function checkDecoded(result: unknown, generated: GeneratedStream): CheckResult {
  const r = result as { events: number; dataLength: number }
  return r.events === generated.eventCount && r.dataLength === generated.dataLength
    ? { ok: true }
    : { ok: false, detail: `events ${r.events}/${generated.eventCount}, data length ${r.dataLength}/${generated.dataLength}` }
}

function contenders(generated: GeneratedStream, chunks: readonly Uint8Array[]): Contender[] {
  const check = (result: unknown) => checkCompletion(result, generated.expected)
  const decoded = (result: unknown) => checkDecoded(result, generated)
  return [
    {
      name: 'deltafold createChatCompletionStreamParser',
      peer: 'deltafold',
      input: 'sync',
      role: 'reference',
      run: () => deltafoldParse(chunks),
      check,
    },
    { name: 'deltafold createSSEDecoder alone', peer: 'deltafold', input: 'sync', run: () => deltafoldDecode(chunks), check: decoded },
    { name: 'floor: indexOf framing only', peer: 'floor', input: 'sync', role: 'floor', run: () => floorFrame(chunks), check: decoded },
    { name: 'floor + hand accumulation', peer: 'floor', input: 'sync', role: 'floor+acc', run: () => floorAccumulate(chunks), check },
    {
      name: 'eventsource-parser alone (TextDecoder → feed)',
      peer: 'eventsource-parser',
      input: 'sync',
      run: () => eventsourceParserDecode(chunks),
      check: decoded,
    },
    {
      name: 'eventsource-parser + JSON.parse + hand acc',
      peer: 'eventsource-parser',
      input: 'sync',
      run: () => eventsourceParserAccumulate(chunks),
      check,
    },
    {
      name: 'deltafold accumulateChatCompletion(ReadableStream)',
      peer: 'deltafold',
      input: 'stream',
      role: 'reference',
      run: () => deltafoldAccumulate(chunks),
      check,
    },
    { name: 'ai-sdk parseJsonEventStream + hand acc', peer: 'ai-sdk', input: 'stream', run: () => aiSdkAccumulate(chunks), check },
  ]
}

const sizeLabel = (bytes: number) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`)

function scalingCells(times: number[], sizes: number[]): string[] {
  const cells: string[] = []
  for (let i = 1; i < times.length; i++) cells.push((times[i]! / times[i - 1]! / (sizes[i]! / sizes[i - 1]!)).toFixed(2))
  cells.push((times[times.length - 1]! / times[0]! / (sizes[sizes.length - 1]! / sizes[0]!)).toFixed(2))
  return cells
}

export async function run(config: LongEventConfig): Promise<ScenarioReport> {
  const bySize: { size: number; bytes: number; events: number; rows: Row[] }[] = []
  for (const size of config.sizes) {
    const generated = generateLongEvent({ seed: config.seed, eventBytes: size })
    const chunks = splitFixed(generated.bytes, config.segment)
    const rows = await measure(contenders(generated, chunks), { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
    bySize.push({ size, bytes: generated.bytes.length, events: generated.eventCount, rows })
  }
  const middle = bySize[Math.floor(bySize.length / 2)]!
  const table: ThroughputTable = {
    kind: 'throughput',
    key: `long-event ${sizeLabel(middle.size)}`,
    workload: `long-event: one ${sizeLabel(middle.size)} data line in ${config.segment}-byte chunks`,
    bytes: middle.bytes,
    events: middle.events,
    rows: middle.rows,
  }
  const sizes = config.sizes
  const scaling: PlainTable = {
    kind: 'plain',
    title: `long-event scaling, ${config.segment}-byte chunks (ratios are time ratio ÷ size ratio: 1.00 = linear, 2.00 = quadratic at ×2)`,
    headers: [
      'contender',
      ...sizes.map((s) => `${sizeLabel(s)} ms (MB/s)`),
      ...sizes.slice(1).map((s, i) => `${sizeLabel(s)} / ${sizeLabel(sizes[i]!)}`),
      `${sizeLabel(sizes[sizes.length - 1]!)} / ${sizeLabel(sizes[0]!)}`,
      'check',
    ],
    rows: [],
  }
  const metrics: Record<string, number> = {}
  for (const [i, row] of middle.rows.entries()) {
    const times = bySize.map((entry) => entry.rows[i]!.medianMs)
    const checks = bySize.every((entry) => entry.rows[i]!.check.ok)
      ? 'ok'
      : `**MISMATCH** ${bySize.map((e) => e.rows[i]!.check.detail).find(Boolean) ?? ''}`
    scaling.rows.push([
      row.name,
      ...times.map((t, k) => `${fmt(t)} (${fmt(mbps(bySize[k]!.bytes, t))})`),
      ...scalingCells(times, sizes),
      checks,
    ])
    if (row.name === 'deltafold createChatCompletionStreamParser')
      metrics['long.parser.scaling'] = times[times.length - 1]! / times[0]! / (sizes[sizes.length - 1]! / sizes[0]!)
    if (row.name === 'deltafold createSSEDecoder alone')
      metrics['long.decoder.scaling'] = times[times.length - 1]! / times[0]! / (sizes[sizes.length - 1]! / sizes[0]!)
  }
  const openai = createOpenAIClient()
  const openaiTimes: number[] = []
  const openaiChecks: CheckResult[] = []
  for (const size of config.openaiSizes) {
    const generated = generateLongEvent({ seed: config.seed, eventBytes: size })
    const chunks = splitFixed(generated.bytes, config.segment)
    openai.setBody(chunks)
    let result: unknown
    const samples = await timeDirect(async () => {
      openai.setBody(chunks)
      result = await openaiChatCompletionStream(openai.client)
    }, 2)
    openaiTimes.push(median(samples))
    openaiChecks.push(checkCompletion(result, generated.expected))
  }
  const openaiTable: PlainTable = {
    kind: 'plain',
    title: 'long-event, openai chat.completions.stream() on smaller events (same chunking; ratios as above)',
    headers: [
      'contender',
      ...config.openaiSizes.map((s) => `${sizeLabel(s)} ms (MB/s)`),
      ...config.openaiSizes.slice(1).map((s, i) => `${sizeLabel(s)} / ${sizeLabel(config.openaiSizes[i]!)}`),
      `${sizeLabel(config.openaiSizes[config.openaiSizes.length - 1]!)} / ${sizeLabel(config.openaiSizes[0]!)}`,
      'check',
    ],
    rows: [
      [
        'openai chat.completions.stream().finalChatCompletion()',
        ...openaiTimes.map((t, k) => `${fmt(t)} (${fmt(mbps(config.openaiSizes[k]!, t))})`),
        ...scalingCells(openaiTimes, config.openaiSizes),
        openaiChecks.every((c) => c.ok) ? 'ok' : `**MISMATCH** ${openaiChecks.find((c) => !c.ok)?.detail ?? ''}`,
      ],
    ],
  }
  return {
    id: 'long-event',
    title: `long-event (one huge data line in ${config.segment}-byte chunks)`,
    tables: [table, scaling, openaiTable],
    notes: [],
    metrics,
  }
}
