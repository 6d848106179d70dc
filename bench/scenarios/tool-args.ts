/**
 * tool-args: one tool call whose arguments, a JSON document of ~100 KB / 300 KB / 1 MB, stream in
 * 4–12 character fragments; with and without reading the partial value after every delta.
 *
 * partial-json (re-parse the accumulated string after each delta) and the openai SDK with a `strict`
 * tool (it re-parses the same way with its vendored partial parser) are quadratic: they are measured
 * on smaller documents while a time budget allows, and their times at the table sizes are
 * extrapolated as n² from the largest measured size (the tables say which figures are measured).
 */
import {
  deltafoldParseEvents,
  deltafoldParsePartial,
  deltafoldPartialParser,
  loadWebContenders,
  type PartialRun,
} from '../contenders/deltafold.js'
import { createOpenAIClient, openaiChatCompletionStream, type OpenAITools } from '../contenders/openai.js'
import { partialJsonReparse } from '../contenders/partial-json.js'
import { splitRandom } from '../generators/common.js'
import { generateToolArgs, type ToolArgsStream } from '../generators/tool-args.js'
import { completionContenders, type WebOption } from '../lib/contender-sets.js'
import { checkCompletion, compare, type CheckResult } from '../lib/ground-truth.js'
import { measure, median, timeDirect, type Contender, type Row } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import { findRow, fmt, type ScenarioReport, type Series, type ThroughputTable } from '../lib/report.js'

export interface ToolArgsConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  /** Arguments sizes (characters) of the tables. */
  sizes: number[]
  /** Sizes at which all peers run (the others run deltafold, the floor and eventsource-parser only). */
  peerSizes: number[]
  /** Sizes at which the quadratic contenders may run, smallest first, while the budget lasts. */
  quadraticSizes: number[]
  /** Milliseconds a quadratic contender may spend in total. */
  quadraticBudgetMs: number
  iterations: number
  rounds: number
}

export const full: ToolArgsConfig = {
  seed: 3,
  sizes: [100_000, 300_000, 1_000_000],
  peerSizes: [100_000],
  quadraticSizes: [12_500, 25_000, 50_000, 100_000],
  quadraticBudgetMs: 8_000,
  iterations: 1,
  rounds: 4,
}
export const smoke: ToolArgsConfig = {
  quick: true,
  seed: 3,
  sizes: [2_000, 6_000],
  peerSizes: [2_000],
  quadraticSizes: [1_000, 2_000],
  quadraticBudgetMs: 2_000,
  iterations: 1,
  rounds: 1,
}

const strictTool: OpenAITools = [{ type: 'function', function: { name: 'upsert_catalog', parameters: { type: 'object' }, strict: true } }]

function checkPartial(result: unknown, generated: ToolArgsStream): CheckResult {
  const run = result as PartialRun
  const completion = checkCompletion(run.completion, generated.expected)
  if (!completion.ok) return completion
  if (run.reads !== generated.argumentDeltas)
    return { ok: false, detail: `partial reads: ${run.reads}, expected ${generated.argumentDeltas}` }
  return compare(run.partials[0], generated.document, '$partial')
}

function checkStrict(result: unknown, generated: ToolArgsStream): CheckResult {
  const completion = checkCompletion(result, generated.expected)
  if (!completion.ok) return completion
  const call = (result as { choices: { message: { tool_calls: { function: { parsed_arguments?: unknown } }[] } }[] }).choices[0]?.message
    .tool_calls[0]
  return compare(call?.function.parsed_arguments, generated.document, '$parsed_arguments')
}

interface Quadratic {
  name: string
  peer: string
  input: 'sync' | 'stream'
  run(chunks: readonly Uint8Array[]): unknown
  check(result: unknown, generated: ToolArgsStream): CheckResult
  /** Measured points: arguments characters → milliseconds. */
  points: { size: number; ms: number; check: CheckResult }[]
}

function generate(config: ToolArgsConfig, size: number): { generated: ToolArgsStream; chunks: Uint8Array[] } {
  const generated = generateToolArgs({ seed: config.seed + size, argsChars: size })
  return { generated, chunks: splitRandom(generated.bytes, createRandom(config.seed + size + 1), 1, 8192) }
}

/** Runs a quadratic contender at growing sizes while the next run is predicted to fit the budget. */
async function measureQuadratic(config: ToolArgsConfig, q: Quadratic): Promise<void> {
  let spent = 0
  for (const size of config.quadraticSizes) {
    const last = q.points[q.points.length - 1]
    if (last) {
      const predicted = last.ms * (size / last.size) ** 2
      if (spent + predicted > config.quadraticBudgetMs) break
    }
    const { generated, chunks } = generate(config, size)
    let result: unknown
    const samples = await timeDirect(async () => (result = await q.run(chunks)), 1)
    spent += samples[0]!
    q.points.push({ size, ms: median(samples), check: q.check(result, generated) })
  }
}

/** A table row for a quadratic contender: measured at this size, or extrapolated as n². */
function quadraticRow(q: Quadratic, size: number): Row {
  const row: Row = { name: q.name, peer: q.peer, input: q.input, check: { ok: true }, samples: [], medianMs: NaN, minMs: NaN, maxMs: NaN }
  const measured = q.points.find((p) => p.size === size)
  if (measured) {
    row.samples = [measured.ms]
    row.medianMs = row.minMs = row.maxMs = measured.ms
    row.check = measured.check
    return row
  }
  const last = q.points[q.points.length - 1]
  if (!last) {
    row.unavailable = 'not run: no size fits the time budget'
    return row
  }
  row.check = last.check
  row.medianMs = last.ms * (size / last.size) ** 2
  row.estimate = `extrapolated ×(n/${last.size / 1000} K)² from its ${fmt(last.ms)} ms run on ${last.size / 1000} K characters (measured: ${q.points
    .map((p) => `${p.size / 1000} K → ${fmt(p.ms)} ms`)
    .join(', ')})`
  return row
}

export async function run(config: ToolArgsConfig): Promise<ScenarioReport> {
  const web: WebOption = await loadWebContenders()
  const openai = createOpenAIClient()
  const quadratic: Quadratic[] = [
    {
      name: 'partial-json: parse(accumulated) after every delta (floor framing + hand acc)',
      peer: 'partial-json',
      input: 'sync',
      run: partialJsonReparse,
      check: checkPartial,
      points: [],
    },
    {
      name: 'openai chat.completions.stream() with a strict tool (parsed_arguments every delta)',
      peer: 'openai',
      input: 'stream',
      run: (chunks) => {
        openai.setBody(chunks)
        return openaiChatCompletionStream(openai.client, strictTool)
      },
      check: checkStrict,
      points: [],
    },
  ]
  for (const q of quadratic) await measureQuadratic(config, q)

  const tables: ThroughputTable[] = []
  const metrics: Record<string, number> = {}
  const curves = new Map<string, Series>()
  const addPoint = (name: string, x: number, y: number, extrapolated = false) => {
    const series = curves.get(name) ?? { name, points: [] }
    curves.set(name, series)
    if (Number.isFinite(y)) series.points.push(extrapolated ? { x, y, extrapolated } : { x, y })
  }
  for (const size of config.sizes) {
    const { generated, chunks } = generate(config, size)
    const check = (result: unknown) => checkCompletion(result, generated.expected)
    const base = completionContenders(generated, chunks, web)
    const withPeers = config.peerSizes.includes(size)
    const contenders: Contender[] = [
      ...base
        .filter((c) => withPeers || c.peer === 'deltafold' || c.peer === 'floor' || c.peer === 'eventsource-parser')
        .filter((c) => withPeers || !c.name.includes('web')),
      {
        name: 'deltafold parser + onEvent (typed events, nothing read)',
        peer: 'deltafold',
        input: 'sync',
        run: () => deltafoldParseEvents(chunks),
        check: (r) => check((r as { completion: unknown }).completion),
      },
      {
        name: 'deltafold parseArguments: true, event.partial read every delta',
        peer: 'deltafold',
        input: 'sync',
        run: () => deltafoldParsePartial(chunks),
        check: (r) => checkPartial(r, generated),
      },
      {
        name: 'deltafold chunkEvents: false + parseArguments: true, event.partial read every delta',
        peer: 'deltafold',
        input: 'sync',
        run: () => deltafoldParsePartial(chunks, false),
        check: (r) => checkPartial(r, generated),
      },
      {
        name: 'deltafold createPartialJSONParser fed from onEvent, .value every delta',
        peer: 'deltafold',
        input: 'sync',
        run: () => deltafoldPartialParser(chunks),
        check: (r) => checkPartial(r, generated),
      },
    ]
    const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
    for (const q of quadratic) rows.push(quadraticRow(q, size))
    const kb = size / 1000
    const table: ThroughputTable = {
      kind: 'throughput',
      key: `tool-args ${kb} K`,
      workload: `tool-args ${kb} K: ${generated.argumentsText.length.toLocaleString('en-US')}-character arguments in ${generated.argumentDeltas.toLocaleString('en-US')} deltas of 4–12 characters, ${chunks.length.toLocaleString('en-US')} network chunks`,
      bytes: generated.bytes.length,
      events: generated.eventCount,
      rows,
    }
    tables.push(table)
    const ms = (prefix: string) => rows.find((row) => row.name.startsWith(prefix) && row.samples.length > 0)?.medianMs ?? NaN
    metrics[`tool.${kb}.plain`] = ms('deltafold createChatCompletionStreamParser')
    metrics[`tool.${kb}.partial`] = ms('deltafold parseArguments')
    metrics[`tool.${kb}.partialParser`] = ms('deltafold createPartialJSONParser')
    metrics[`tool.${kb}.partialNoChunks`] = ms('deltafold chunkEvents: false')
    metrics[`tool.${kb}.floorAcc`] = findRow(table, { role: 'floor+acc' })?.medianMs ?? NaN
    metrics[`tool.${kb}.bytes`] = generated.bytes.length
    addPoint('deltafold (no partial read)', kb, metrics[`tool.${kb}.plain`]!)
    addPoint('deltafold parseArguments (partial every delta)', kb, metrics[`tool.${kb}.partial`]!)
    addPoint('deltafold createPartialJSONParser (every delta)', kb, metrics[`tool.${kb}.partialParser`]!)
    addPoint('floor + hand accumulation', kb, metrics[`tool.${kb}.floorAcc`]!)
  }
  for (const q of quadratic) {
    const label = q.peer === 'openai' ? 'openai strict tool (partial every delta)' : 'partial-json re-parse (every delta)'
    for (const p of q.points) addPoint(label, p.size / 1000, p.ms)
    const last = q.points[q.points.length - 1]
    if (last) for (const size of config.sizes) if (size > last.size) addPoint(label, size / 1000, last.ms * (size / last.size) ** 2, true)
  }
  const first = config.sizes[0]! / 1000
  const lastSize = config.sizes[config.sizes.length - 1]! / 1000
  const scaling = (key: string) =>
    metrics[`tool.${lastSize}.${key}`]! /
    metrics[`tool.${first}.${key}`]! /
    (metrics[`tool.${lastSize}.bytes`]! / metrics[`tool.${first}.bytes`]!)
  metrics['tool.scaling.plain'] = scaling('plain')
  metrics['tool.scaling.partial'] = scaling('partial')
  metrics['tool.scaling.partialParser'] = scaling('partialParser')
  return {
    id: 'tool-args',
    title: 'tool-args (one tool call, arguments in 4–12 character fragments; partial value read after every delta or not)',
    tables,
    notes: [
      `In these tables "deltafold ÷ this" for a deltafold partial-read row is its time over the same run without partial reads (the target is ≤ 1.3×).`,
      `Quadratic contenders ran within a ${config.quadraticBudgetMs / 1000} s budget each; rows marked "extrapolated" were not run at that size.`,
      `Scaling ${first} K → ${lastSize} K (time ratio ÷ byte ratio; 1.00 = linear): without partial read ${scaling('plain').toFixed(2)}, parseArguments ${scaling('partial').toFixed(2)}, createPartialJSONParser ${scaling('partialParser').toFixed(2)}.`,
    ],
    metrics,
    series: [...curves.values()],
  }
}
