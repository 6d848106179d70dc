/**
 * The timing harness over tinybench. Each contender is run once and checked against the ground
 * truth before it is timed (that run is also its warm-up); a mismatch is timed all the same and flagged in its row, an exception
 * leaves the row untimed with the error. Timing runs in rounds with the contenders in rotated order
 * (drift on a shared machine spreads over all of them), a full GC before every iteration (outside
 * the timed window), and every result is stored in `sink` so no work can be optimized away.
 */
import { Bench } from 'tinybench'
import { gc } from './gc.js'
import type { CheckResult } from './ground-truth.js'

/** Where results go so the engine cannot drop the work that made them. */
export let sink: unknown

/** How a contender takes its input, and so which deltafold entry point it is compared with. */
export type InputKind = 'sync' | 'stream'

/** One thing to time. */
export interface Contender<T = unknown> {
  /** Row label: the library and entry point. */
  name: string
  /** The library: `deltafold`, `floor`, `eventsource-parser`, `openai`, `ai-sdk`, `partial-json`. */
  peer: string
  input: InputKind
  /** One complete run on fresh state (a new parser every call). */
  run(): T | Promise<T>
  /** Checks one result against the ground truth. */
  check(result: T): CheckResult
  /** Marks the rows ratios are taken against. */
  role?: 'floor' | 'floor+acc' | 'reference'
  /** A note shown under the table. */
  note?: string
  /** Why this contender cannot run here (the row says so instead of timing it). */
  unavailable?: string
}

/** One measured contender. */
export interface Row {
  name: string
  peer: string
  input: InputKind
  role?: Contender['role']
  check: CheckResult
  /** Latency samples in milliseconds, sorted; empty when the contender threw. */
  samples: number[]
  medianMs: number
  minMs: number
  maxMs: number
  note?: string
  unavailable?: string
  /** Set when `medianMs` is not measured but extrapolated; says how. */
  estimate?: string
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Timed iterations per contender per round. */
  iterations: number
  /** Rounds (the contender order rotates between rounds). @defaultValue 1 */
  rounds?: number
  /** Untimed warm-up runs per contender before the first round, besides the checked run (which warms up too). @defaultValue 0 */
  warmup?: number
  /** Full GC before every timed iteration (slow: tens of ms each; the smoke run turns it off). @defaultValue true */
  gc?: boolean
}

/** Median of sorted samples. */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Checks, then times, each contender.
 * @param contenders - the contenders of one workload
 * @param options - iterations, rounds, warm-up
 */
export async function measure(contenders: readonly Contender[], options: MeasureOptions): Promise<Row[]> {
  const rounds = options.rounds ?? 1
  const rows: Row[] = []
  const timed: { contender: Contender; row: Row }[] = []
  for (const contender of contenders) {
    const row: Row = {
      name: contender.name,
      peer: contender.peer,
      input: contender.input,
      check: { ok: true },
      samples: [],
      medianMs: NaN,
      minMs: NaN,
      maxMs: NaN,
    }
    if (contender.role) row.role = contender.role
    if (contender.note) row.note = contender.note
    rows.push(row)
    if (contender.unavailable) {
      row.unavailable = contender.unavailable
      continue
    }
    try {
      sink = await contender.run()
      row.check = contender.check(sink)
    } catch (error) {
      row.check = { ok: false, detail: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 200) }
      continue
    }
    timed.push({ contender, row })
  }
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      iterations: options.iterations,
      time: 0,
      warmup: round === 0 && (options.warmup ?? 0) > 0,
      warmupIterations: options.warmup ?? 0,
      warmupTime: 0,
      retainSamples: true,
      throws: true,
    })
    const collect = options.gc === false ? undefined : gc
    const order = timed.map((_, i) => timed[(i + round) % timed.length]!)
    for (const { contender } of order) {
      const run = contender.run
      const isAsync = contender.input === 'stream'
      bench.add(
        contender.name,
        isAsync
          ? async () => {
              sink = await run()
            }
          : () => {
              sink = run()
            },
        { async: isAsync, beforeEach: () => collect?.() },
      )
    }
    await bench.run()
    for (const { contender, row } of timed) {
      const result = bench.getTask(contender.name)?.result
      if (result && 'latency' in result && result.latency.samples) row.samples.push(...result.latency.samples)
    }
  }
  for (const { row } of timed) {
    row.samples.sort((a, b) => a - b)
    row.medianMs = median(row.samples)
    row.minMs = row.samples[0] ?? NaN
    row.maxMs = row.samples[row.samples.length - 1] ?? NaN
  }
  return rows
}

/**
 * Times one function a few times without tinybench, for runs too long to repeat (quadratic
 * contenders capped by a time budget): returns sorted samples in milliseconds.
 * @param run - the work
 * @param iterations - how many times
 */
export async function timeDirect(run: () => unknown, iterations: number): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < iterations; i++) {
    gc()
    const start = performance.now()
    sink = await run()
    samples.push(performance.now() - start)
  }
  return samples.sort((a, b) => a - b)
}
