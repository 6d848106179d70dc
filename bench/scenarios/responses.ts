/**
 * responses: the OpenAI Responses API fold against the openai SDK's ResponseStream
 * (`client.responses.stream(…).finalResponse()`) on generated streams: a long message (text deltas of
 * 1–6 words), and a function call whose ~1 MB of JSON arguments stream in 4–12 character fragments,
 * with and without reading the partial arguments after every delta.
 *
 * The SDK does not parse arguments as they stream: its users re-parse the accumulated `snapshot` the
 * delta event carries (here with the SDK's own vendored partial-JSON parser), which is quadratic. That
 * row runs on smaller documents and its scaling is shown next to deltafold's (`parseArguments`, each
 * character parsed once).
 */
import { accumulateResponse, createResponseAccumulator, createSSEDecoder } from '@deltafold/core'
import { partialParse } from 'openai/_vendor/partial-json-parser/parser'
import { createOpenAIClient } from '../contenders/openai.js'
import { toReadableStream } from '../contenders/readable.js'
import { splitRandom } from '../generators/common.js'
import { generateResponsesStream, type ResponsesStream } from '../generators/responses.js'
import { compare, type CheckResult } from '../lib/ground-truth.js'
import { measure, median, timeDirect, type Contender } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import { findRow, fmt, mbps, type PlainTable, type ScenarioReport, type ThroughputTable } from '../lib/report.js'

export interface ResponsesConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  /** Text characters of the message workload. */
  textChars: number
  /** Arguments characters of the function-call workload. */
  argsChars: number
  /** Arguments sizes of the partial-read scaling table (the SDK's re-parse is quadratic). */
  partialSizes: number[]
  iterations: number
  rounds: number
}

export const full: ResponsesConfig = {
  seed: 11,
  textChars: 2_000_000,
  argsChars: 1_000_000,
  partialSizes: [12_500, 25_000, 50_000],
  iterations: 1,
  rounds: 4,
}
export const smoke: ResponsesConfig = {
  quick: true,
  seed: 11,
  textChars: 20_000,
  argsChars: 10_000,
  partialSizes: [2_000, 4_000],
  iterations: 1,
  rounds: 1,
}

/** Fields the SDK adds (`maybeParseResponse`) to what the wire sent. */
const SDK_ADDED = new Set(['output_text', 'output_parsed', 'parsed_arguments', 'parsed'])

function checkResponse(result: unknown, generated: ResponsesStream): CheckResult {
  const response = result as Record<string, unknown>
  const wire: Record<string, unknown> = {}
  for (const key of Object.keys(response)) if (!SDK_ADDED.has(key)) wire[key] = response[key]
  wire.output = (response.output as Record<string, unknown>[]).map((item) => {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(item))
      if (!SDK_ADDED.has(key)) out[key] = key === 'content' ? (item.content as Record<string, unknown>[]).map(stripParsed) : item[key]
    return out
  })
  return compare(wire, generated.response)
}

function stripParsed(part: Record<string, unknown>): Record<string, unknown> {
  const { parsed: _parsed, ...rest } = part
  return rest
}

interface PartialRun {
  response: unknown
  reads: number
  last: unknown
}

function checkPartial(result: unknown, generated: ResponsesStream): CheckResult {
  const run = result as PartialRun
  const response = checkResponse(run.response, generated)
  if (!response.ok) return response
  if (run.reads !== generated.argumentDeltas)
    return { ok: false, detail: `partial reads: ${run.reads}, expected ${generated.argumentDeltas}` }
  return compare(run.last, generated.document, '$partial')
}

/** deltafold's synchronous pipeline: decoder → JSON.parse → accumulator (what accumulateResponse runs per chunk). */
function deltafoldSync(chunks: readonly Uint8Array[]): unknown {
  const acc = createResponseAccumulator()
  const decoder = createSSEDecoder({ onEvent: (e) => acc.push(JSON.parse(e.data) as object) })
  for (const chunk of chunks) decoder.feed(chunk)
  decoder.end()
  return acc.finish()
}

async function deltafoldPartial(chunks: readonly Uint8Array[]): Promise<PartialRun> {
  let reads = 0
  let last: unknown
  const response = await accumulateResponse(toReadableStream(chunks), {
    parseArguments: true,
    onEvent(event) {
      if (event.type === 'response.function_call_arguments.delta') {
        reads++
        last = event.partial
      }
    },
  })
  return { response, reads, last }
}

const params = { model: 'gpt-5', input: 'hi' }

async function openaiPartial(openai: ReturnType<typeof createOpenAIClient>, chunks: readonly Uint8Array[]): Promise<PartialRun> {
  openai.setBody(chunks)
  let reads = 0
  let last: unknown
  const stream = openai.client.responses.stream(params)
  stream.on('response.function_call_arguments.delta', (event) => {
    reads++
    last = partialParse(event.snapshot)
  })
  return { response: await stream.finalResponse(), reads, last }
}

export async function run(config: ResponsesConfig): Promise<ScenarioReport> {
  const openai = createOpenAIClient()
  const random = createRandom(config.seed)
  const tables: (ThroughputTable | PlainTable)[] = []
  const metrics: Record<string, number> = {}

  const workloads = [
    {
      key: 'responses-text',
      generated: generateResponsesStream({ seed: config.seed, textChars: config.textChars, argsChars: 0 }),
      label: `message of ${config.textChars.toLocaleString('en')} characters in 1–6 word deltas`,
    },
    {
      key: 'responses-args',
      generated: generateResponsesStream({ seed: config.seed, textChars: 0, argsChars: config.argsChars }),
      label: `function call with ${config.argsChars.toLocaleString('en')} characters of JSON arguments in 4–12 character deltas`,
    },
  ]
  for (const { key, generated, label } of workloads) {
    const chunks = splitRandom(generated.bytes, random, 1, 16_384)
    const check = (result: unknown) => checkResponse(result, generated)
    const contenders: Contender[] = [
      {
        name: 'deltafold accumulateResponse(ReadableStream)',
        peer: 'deltafold',
        input: 'stream',
        role: 'reference',
        run: () => accumulateResponse(toReadableStream(chunks)),
        check,
      },
      {
        name: 'openai responses.stream().finalResponse()',
        peer: 'openai',
        input: 'stream',
        run: () => {
          openai.setBody(chunks)
          return openai.client.responses.stream(params).finalResponse()
        },
        check,
      },
      {
        name: 'deltafold sync: createSSEDecoder → JSON.parse → createResponseAccumulator',
        peer: 'deltafold',
        input: 'sync',
        run: () => deltafoldSync(chunks),
        check,
      },
    ]
    if (key === 'responses-args') {
      contenders.push({
        name: 'deltafold accumulateResponse, parseArguments, partial read after every delta',
        peer: 'deltafold',
        input: 'stream',
        run: () => deltafoldPartial(chunks),
        check: (result) => checkPartial(result, generated),
      })
    }
    const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
    const table: ThroughputTable = {
      kind: 'throughput',
      key,
      workload: `${key}: ${label}, random 1–16,384-byte network chunks`,
      bytes: generated.bytes.length,
      events: generated.eventCount,
      rows,
    }
    tables.push(table)
    const ours = findRow(table, { name: 'deltafold accumulateResponse(ReadableStream)' })
    const theirs = findRow(table, { name: 'openai responses.stream().finalResponse()' })
    if (ours && theirs) metrics[`${key}.speedup-vs-openai`] = theirs.medianMs / ours.medianMs
  }

  // Partial arguments after every delta: deltafold (linear) against the SDK snapshot re-parse (quadratic).
  const scaling: PlainTable = {
    kind: 'plain',
    title:
      'responses-args with the partial arguments read after every delta (ms; ratio = time ratio ÷ size ratio: 1.00 linear, 2.00 quadratic)',
    headers: [
      'contender',
      ...config.partialSizes.map((s) => `${(s / 1000).toFixed(0)} KB`),
      `${(config.argsChars / 1000).toFixed(0)} KB`,
      'largest / smallest ratio',
      'check',
    ],
    rows: [],
  }
  const sizes = [...config.partialSizes, config.argsChars]
  const ourTimes: number[] = []
  const theirTimes: number[] = []
  const checks: CheckResult[] = []
  for (const size of sizes) {
    const generated = generateResponsesStream({ seed: config.seed, textChars: 0, argsChars: size })
    const chunks = splitRandom(generated.bytes, createRandom(config.seed), 1, 16_384)
    let result: unknown
    ourTimes.push(median(await timeDirect(async () => (result = await deltafoldPartial(chunks)), config.quick ? 1 : 3)))
    checks.push(checkPartial(result, generated))
    if (size !== config.argsChars) {
      theirTimes.push(median(await timeDirect(async () => (result = await openaiPartial(openai, chunks)), config.quick ? 1 : 2)))
      checks.push(checkPartial(result, generated))
    }
  }
  const ratio = (times: number[], s: number[]) => (times[times.length - 1]! / times[0]! / (s[times.length - 1]! / s[0]!)).toFixed(2)
  const allOk = (list: CheckResult[]) => (list.every((c) => c.ok) ? 'ok' : `**MISMATCH** ${list.find((c) => !c.ok)?.detail ?? ''}`)
  scaling.rows.push(['deltafold parseArguments (event.partial)', ...ourTimes.map((t) => fmt(t)), ratio(ourTimes, sizes), allOk(checks)])
  scaling.rows.push([
    'openai ResponseStream + partialParse(event.snapshot)',
    ...theirTimes.map((t) => fmt(t)),
    'not run (quadratic)',
    ratio(theirTimes, sizes),
    allOk(checks),
  ])
  tables.push(scaling)
  const largestShared = config.partialSizes.length - 1
  metrics['responses.partial.speedup-vs-openai'] = theirTimes[largestShared]! / ourTimes[largestShared]!
  metrics['responses.partial.scaling'] = Number(ratio(ourTimes, sizes))
  const argsRow = (tables[1] as ThroughputTable).rows.find((r) => r.name.includes('parseArguments'))
  const notes = [
    `Partial reads at ${(config.argsChars / 1000).toFixed(0)} KB: deltafold ${argsRow ? `${fmt(argsRow.medianMs)} ms (${fmt(mbps((tables[1] as ThroughputTable).bytes, argsRow.medianMs))} MB/s)` : 'n/a'}; the SDK's re-parse is not run at that size (quadratic: see the scaling table).`,
  ]
  return { id: 'responses', title: 'responses (OpenAI Responses API fold vs openai ResponseStream)', tables, notes, metrics }
}
