/**
 * parallel-tools: 8 tool calls whose argument fragments interleave at random, ~5 MB of body in
 * network chunks of 1–8192 random bytes.
 */
import { deltafoldParsePartial, loadWebContenders, type PartialRun } from '../contenders/deltafold.js'
import { splitRandom } from '../generators/common.js'
import { generateParallelTools } from '../generators/parallel-tools.js'
import { completionContenders } from '../lib/contender-sets.js'
import { checkCompletion, compare } from '../lib/ground-truth.js'
import { measure } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import { findRow, type ScenarioReport, type ThroughputTable } from '../lib/report.js'

export interface ParallelToolsConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  targetBytes: number
  iterations: number
  rounds: number
}

export const full: ParallelToolsConfig = { seed: 5, targetBytes: 5_000_000, iterations: 1, rounds: 5 }
export const smoke: ParallelToolsConfig = { quick: true, seed: 5, targetBytes: 40_000, iterations: 1, rounds: 1 }

export async function run(config: ParallelToolsConfig): Promise<ScenarioReport> {
  const generated = generateParallelTools({ seed: config.seed, targetBytes: config.targetBytes })
  const chunks = splitRandom(generated.bytes, createRandom(config.seed + 1), 1, 8192)
  const expectedArgs = generated.expected.choices[0]!.tool_calls.map((call) => JSON.parse(call.arguments) as unknown)
  const contenders = completionContenders(generated, chunks, await loadWebContenders())
  contenders.push({
    name: 'deltafold parseArguments: true, event.partial read every delta',
    peer: 'deltafold',
    input: 'sync',
    run: () => deltafoldParsePartial(chunks),
    check: (r) => {
      const run = r as PartialRun
      const completion = checkCompletion(run.completion, generated.expected)
      return completion.ok ? compare(run.partials, expectedArgs, '$partials') : completion
    },
  })
  const rows = await measure(contenders, { iterations: config.iterations, rounds: config.rounds, gc: !config.quick })
  const table: ThroughputTable = {
    kind: 'throughput',
    key: 'parallel-tools',
    workload: `parallel-tools: 8 interleaved tool calls, ${generated.argumentDeltas.toLocaleString('en-US')} argument deltas, ${chunks.length.toLocaleString('en-US')} network chunks of 1–8192 B`,
    bytes: generated.bytes.length,
    events: generated.eventCount,
    rows,
  }
  return {
    id: 'parallel-tools',
    title: 'parallel-tools (8 interleaved tool calls)',
    tables: [table],
    notes: [],
    metrics: {
      'parallel.deltafold': findRow(table, { role: 'reference', input: 'sync' })?.medianMs ?? NaN,
      'parallel.floorAcc': findRow(table, { role: 'floor+acc' })?.medianMs ?? NaN,
    },
  }
}
