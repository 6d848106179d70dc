/**
 * anthropic: deltafold's Anthropic Messages fold against @anthropic-ai/sdk's MessageStream on
 * generated streams: a long text answer, and a tool_use whose input (a JSON document of ~100 KB /
 * 1 MB) streams in 4–12 character `input_json_delta` fragments, with and without reading the partial
 * input after every delta. The SDK's partial read re-parses the whole buffer on every delta
 * (quadratic): it is measured on smaller inputs while a time budget lasts and extrapolated as n² to
 * the table sizes, as tool-args does for the openai SDK (the rows say which figures are measured).
 */
import {
  createAnthropicClient,
  deltafoldAnthropic,
  deltafoldAnthropicPartial,
  sdkFinalMessage,
  sdkPartial,
  type AnthropicPartialRun,
} from '../contenders/anthropic.js'
import { splitRandom } from '../generators/common.js'
import { generateAnthropicText, generateAnthropicToolInput, type AnthropicStream } from '../generators/anthropic-messages.js'
import { compare, type CheckResult } from '../lib/ground-truth.js'
import { measure, median, timeDirect, type Contender, type Row } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import { fmt, type ScenarioReport, type ThroughputTable } from '../lib/report.js'

export interface AnthropicConfig {
  quick?: boolean
  seed: number
  textBytes: number
  /** Tool input sizes (characters) of the tables. */
  toolSizes: number[]
  /** Sizes at which the SDK's quadratic partial read may run, smallest first, while the budget lasts. */
  quadraticSizes: number[]
  quadraticBudgetMs: number
  iterations: number
  rounds: number
}

export const full: AnthropicConfig = {
  seed: 15,
  textBytes: 5_000_000,
  toolSizes: [100_000, 1_000_000],
  quadraticSizes: [12_500, 25_000, 50_000, 100_000],
  quadraticBudgetMs: 8_000,
  iterations: 2,
  rounds: 3,
}
export const smoke: AnthropicConfig = {
  quick: true,
  seed: 15,
  textBytes: 60_000,
  toolSizes: [4_000],
  quadraticSizes: [1_000, 2_000],
  quadraticBudgetMs: 2_000,
  iterations: 1,
  rounds: 1,
}

/** The message's content equals the generator's. */
function checkMessage(message: unknown, generated: AnthropicStream): CheckResult {
  return compare((message as { content?: unknown }).content, generated.content, '$.content')
}

/** As {@link checkMessage}, plus one partial read per delta, the last one the whole input. */
function checkPartial(result: unknown, generated: AnthropicStream & { document: unknown }): CheckResult {
  const run = result as AnthropicPartialRun
  const message = checkMessage(run.message, generated)
  if (!message.ok) return message
  if (run.reads !== generated.deltas) return { ok: false, detail: `partial reads: ${run.reads}, expected ${generated.deltas}` }
  return compare(run.last, generated.document, '$partial')
}

function chunksOf(config: AnthropicConfig, generated: AnthropicStream, salt: number): Uint8Array[] {
  return splitRandom(generated.bytes, createRandom(config.seed + salt), 1, 8192)
}

export async function run(config: AnthropicConfig): Promise<ScenarioReport> {
  const sdk = createAnthropicClient()
  const tables: ThroughputTable[] = []
  const metrics: Record<string, number> = {}
  const notes: string[] = []
  const ms = (rows: Row[], prefix: string) => rows.find((row) => row.name.startsWith(prefix) && row.samples.length > 0)?.medianMs ?? NaN

  // Text.
  {
    const generated = generateAnthropicText({ seed: config.seed, targetBytes: config.textBytes })
    const chunks = chunksOf(config, generated, 1)
    const contenders: Contender[] = [
      {
        name: 'deltafold accumulateAnthropicMessage(ReadableStream)',
        peer: 'deltafold',
        input: 'stream',
        role: 'reference',
        run: () => deltafoldAnthropic(chunks),
        check: (m) => checkMessage(m, generated),
      },
      {
        name: '@anthropic-ai/sdk messages.stream().finalMessage()',
        peer: '@anthropic-ai/sdk',
        input: 'stream',
        run: () => {
          sdk.setBody(chunks)
          return sdkFinalMessage(sdk.client)
        },
        check: (m) => checkMessage(m, generated),
      },
    ]
    const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
    const mb = (generated.bytes.length / 1e6).toFixed(1)
    tables.push({
      kind: 'throughput',
      key: `anthropic text ${mb} MB`,
      workload: `anthropic text: ${generated.deltas.toLocaleString('en-US')} text deltas of 1–6 words, ${chunks.length.toLocaleString('en-US')} network chunks`,
      bytes: generated.bytes.length,
      events: generated.eventCount,
      rows,
    })
    metrics['anthropic.text.deltafold'] = ms(rows, 'deltafold')
    metrics['anthropic.text.sdk'] = ms(rows, '@anthropic-ai/sdk')
    notes.push(
      `Text: @anthropic-ai/sdk takes ${fmt(metrics['anthropic.text.sdk']! / metrics['anthropic.text.deltafold']!)}× deltafold's time (same run).`,
    )
  }

  // Tool input: the SDK's partial read, at growing sizes while the budget lasts.
  const points: { size: number; ms: number; check: CheckResult }[] = []
  let spent = 0
  for (const size of config.quadraticSizes) {
    const last = points[points.length - 1]
    if (last && spent + last.ms * (size / last.size) ** 2 > config.quadraticBudgetMs) break
    const generated = generateAnthropicToolInput({ seed: config.seed + size, inputChars: size })
    const chunks = chunksOf(config, generated, size + 1)
    sdk.setBody(chunks)
    let result: unknown
    const samples = await timeDirect(async () => (result = await sdkPartial(sdk.client)), 1)
    spent += samples[0]!
    points.push({ size, ms: median(samples), check: checkPartial(result, generated) })
  }
  for (const size of config.toolSizes) {
    const generated = generateAnthropicToolInput({ seed: config.seed + size, inputChars: size })
    const chunks = chunksOf(config, generated, size + 1)
    const contenders: Contender[] = [
      {
        name: 'deltafold accumulateAnthropicMessage(ReadableStream)',
        peer: 'deltafold',
        input: 'stream',
        role: 'reference',
        run: () => deltafoldAnthropic(chunks),
        check: (m) => checkMessage(m, generated),
      },
      {
        name: 'deltafold parseInput: true, event.partial read every delta',
        peer: 'deltafold',
        input: 'stream',
        run: () => deltafoldAnthropicPartial(chunks),
        check: (r) => checkPartial(r, generated),
      },
      {
        name: '@anthropic-ai/sdk messages.stream().finalMessage() (input parsed once)',
        peer: '@anthropic-ai/sdk',
        input: 'stream',
        run: () => {
          sdk.setBody(chunks)
          return sdkFinalMessage(sdk.client)
        },
        check: (m) => checkMessage(m, generated),
      },
    ]
    const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
    rows.push(quadraticRow(points, size))
    const kb = size / 1000
    tables.push({
      kind: 'throughput',
      key: `anthropic tool input ${kb} K`,
      workload: `anthropic tool input ${kb} K: ${generated.inputText.length.toLocaleString('en-US')}-character input in ${generated.deltas.toLocaleString('en-US')} input_json_delta fragments of 4–12 characters, ${chunks.length.toLocaleString('en-US')} network chunks`,
      bytes: generated.bytes.length,
      events: generated.eventCount,
      rows,
    })
    metrics[`anthropic.tool.${kb}.deltafold`] = ms(rows, 'deltafold accumulate')
    metrics[`anthropic.tool.${kb}.partial`] = ms(rows, 'deltafold parseInput')
    metrics[`anthropic.tool.${kb}.sdk`] = ms(rows, '@anthropic-ai/sdk messages.stream().finalMessage()')
    metrics[`anthropic.tool.${kb}.sdkPartial`] = rows[rows.length - 1]!.medianMs
    notes.push(
      `Tool input ${kb} K: partial read every delta costs deltafold ${fmt(metrics[`anthropic.tool.${kb}.partial`]! / metrics[`anthropic.tool.${kb}.deltafold`]!)}× its plain fold; ` +
        `the SDK's partial read takes ${fmt(metrics[`anthropic.tool.${kb}.sdkPartial`]! / metrics[`anthropic.tool.${kb}.partial`]!)}× deltafold's partial read${points.some((p) => p.size === size) ? '' : ' (SDK extrapolated)'}.`,
    )
  }
  notes.push(
    `The SDK's partial read ran within a ${config.quadraticBudgetMs / 1000} s budget; rows marked "extrapolated" were not run at that size.`,
  )
  return {
    id: 'anthropic',
    title: 'anthropic (Anthropic Messages: deltafold fold vs @anthropic-ai/sdk MessageStream)',
    tables,
    notes,
    metrics,
  }
}

/** The SDK partial-read row at `size`: measured there, or extrapolated as n² from the largest measured size. */
function quadraticRow(points: { size: number; ms: number; check: CheckResult }[], size: number): Row {
  const row: Row = {
    name: '@anthropic-ai/sdk inputJson listener (partial input every delta)',
    peer: '@anthropic-ai/sdk',
    input: 'stream',
    check: { ok: true },
    samples: [],
    medianMs: NaN,
    minMs: NaN,
    maxMs: NaN,
  }
  const measured = points.find((p) => p.size === size)
  if (measured) {
    row.samples = [measured.ms]
    row.medianMs = row.minMs = row.maxMs = measured.ms
    row.check = measured.check
    return row
  }
  const last = points[points.length - 1]
  if (!last) {
    row.unavailable = 'not run: no size fits the time budget'
    return row
  }
  row.check = last.check
  row.medianMs = last.ms * (size / last.size) ** 2
  row.estimate = `extrapolated ×(n/${last.size / 1000} K)² from its ${fmt(last.ms)} ms run on ${last.size / 1000} K characters (measured: ${points
    .map((p) => `${p.size / 1000} K → ${fmt(p.ms)} ms`)
    .join(', ')})`
  return row
}
