/**
 * chat-text: a ~20 MB plain-text completion (1–6 words per chunk, role/finish/usage chunks,
 * `[DONE]`) in network chunks of 1–8192 random bytes, end to end: bytes → final completion.
 */
import { loadWebContenders } from '../contenders/deltafold.js'
import { generateChatText } from '../generators/chat-text.js'
import { splitRandom } from '../generators/common.js'
import { completionContenders } from '../lib/contender-sets.js'
import { measure } from '../lib/measure.js'
import { createRandom } from '../lib/random.js'
import { findRow, type ScenarioReport, type ThroughputTable } from '../lib/report.js'

export interface ChatTextConfig {
  /** Smoke run: no GC between iterations. */
  quick?: boolean
  seed: number
  targetBytes: number
  iterations: number
  rounds: number
}

export const full: ChatTextConfig = { seed: 1, targetBytes: 20_000_000, iterations: 1, rounds: 5 }
export const smoke: ChatTextConfig = { quick: true, seed: 1, targetBytes: 30_000, iterations: 1, rounds: 1 }

export async function run(config: ChatTextConfig): Promise<ScenarioReport> {
  const generated = generateChatText({ seed: config.seed, targetBytes: config.targetBytes })
  const chunks = splitRandom(generated.bytes, createRandom(config.seed + 1), 1, 8192)
  const rows = await measure(completionContenders(generated, chunks, await loadWebContenders()), {
    iterations: config.iterations,
    rounds: config.rounds,
    gc: !config.quick,
  })
  const table: ThroughputTable = {
    kind: 'throughput',
    key: 'chat-text',
    workload: `chat-text: ${generated.contentDeltas.toLocaleString('en-US')} content chunks of 1–6 words, ${chunks.length.toLocaleString('en-US')} network chunks of 1–8192 B`,
    bytes: generated.bytes.length,
    events: generated.eventCount,
    rows,
  }
  const ms = (name: string) => rows.find((row) => row.name.startsWith(name) && row.samples.length > 0)?.medianMs ?? NaN
  return {
    id: 'chat-text',
    title: 'chat-text (end to end: bytes → final completion)',
    tables: [table],
    notes: [],
    metrics: {
      'chat.deltafold': ms('deltafold createChatCompletionStreamParser'),
      'chat.deltafoldStream': ms('deltafold accumulateChatCompletion'),
      'chat.floor': findRow(table, { role: 'floor' })?.medianMs ?? NaN,
      'chat.floorAcc': findRow(table, { role: 'floor+acc' })?.medianMs ?? NaN,
      'chat.esp': ms('eventsource-parser'),
      'chat.openai': ms('openai chat.completions.stream'),
      'chat.aiSdk': ms('ai-sdk'),
    },
  }
}
