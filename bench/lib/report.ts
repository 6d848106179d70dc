/**
 * Scenario results and their markdown rendering (the same text goes to the console, to
 * `results/latest.md` and to the README).
 */
import type { Row } from './measure.js'

/** Throughput of the contenders on one workload. */
export interface ThroughputTable {
  kind: 'throughput'
  /** Short workload label (chart group), e.g. `chat-text`. */
  key: string
  /** Full workload description. */
  workload: string
  /** Body bytes processed per run. */
  bytes: number
  /** SSE events per run. */
  events: number
  rows: Row[]
}

/** Anything else (heap per stream, scaling ratios). */
export interface PlainTable {
  kind: 'plain'
  title: string
  headers: string[]
  rows: string[][]
}

/** A line of the scaling chart. */
export interface Series {
  name: string
  /** x: arguments size in KB; y: milliseconds per run; `extrapolated` points are drawn hollow. */
  points: { x: number; y: number; extrapolated?: boolean }[]
}

/** What a scenario file returns. */
export interface ScenarioReport {
  id: string
  title: string
  tables: (ThroughputTable | PlainTable)[]
  notes: string[]
  /** Named figures the targets are judged on. */
  metrics: Record<string, number>
  /** Lines for the scaling chart (tool-args). */
  series?: Series[]
}

/** MB/s (10^6 bytes per second) from bytes and milliseconds. */
export function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1e3)
}

/** The throughput row of a contender by role, or by name. */
export function findRow(table: ThroughputTable, what: { role?: Row['role']; name?: string; input?: Row['input'] }): Row | undefined {
  return table.rows.find(
    (row) =>
      (what.role === undefined || row.role === what.role) &&
      (what.name === undefined || row.name === what.name) &&
      (what.input === undefined || row.input === what.input) &&
      row.samples.length > 0,
  )
}

/** Median throughput of a row in MB/s (NaN when it was not timed). */
export function rowMbps(table: ThroughputTable, row: Row | undefined): number {
  return row ? mbps(table.bytes, row.medianMs) : NaN
}

/** `a / b` of two rows' medians (how many times faster `a` is). */
export function speedup(a: Row | undefined, b: Row | undefined): number {
  return a && b && a.samples.length > 0 && b.samples.length > 0 ? b.medianMs / a.medianMs : NaN
}

export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '—'
  if (value >= 100) return Math.round(value).toLocaleString('en-US')
  return value.toPrecision(digits)
}

export function fmtRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—'
}

export function fmtRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—'
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`
  return perSecond.toFixed(0)
}

export function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 2)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} B`
}

function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

/**
 * Renders a throughput table: MB/s and events/s (median, with the min–max range of the samples),
 * ratios to the floor and to floor + hand accumulation, and how many times faster deltafold (the
 * entry point with the same kind of input) is than each contender.
 */
export function renderThroughput(table: ThroughputTable): string {
  const floorRow = findRow(table, { role: 'floor' })
  const floorAcc = findRow(table, { role: 'floor+acc' })
  const rows = table.rows.map((row) => {
    const timed = row.samples.length > 0
    const estimated = !timed && row.estimate !== undefined && Number.isFinite(row.medianMs)
    const ms = timed || estimated ? row.medianMs : NaN
    const approx = estimated ? '~' : ''
    const reference = findRow(table, { role: 'reference', input: row.input }) ?? findRow(table, { role: 'reference' })
    let check = row.check.ok ? 'ok' : `**MISMATCH** ${row.check.detail ?? ''}`
    if (row.unavailable) check = `not available: ${row.unavailable}`
    else if (estimated) check = `not run at this size (${row.check.ok ? 'ok' : '**MISMATCH**'} where run)`
    const median = mbps(table.bytes, ms)
    const range = timed ? ` (${fmt(mbps(table.bytes, row.maxMs))}–${fmt(mbps(table.bytes, row.minMs))})` : estimated ? ' extrapolated' : ''
    const ratio = (value: number) => (Number.isFinite(value) ? approx + fmtRatio(value) : '—')
    return [
      row.name,
      row.input,
      check,
      Number.isFinite(median) ? `**${approx}${fmt(median)}**${range}` : 'not timed',
      Number.isFinite(ms) ? approx + fmtRate(table.events / (ms / 1e3)) : '—',
      Number.isFinite(ms) ? `${approx}${fmt(ms)} ms` : '—',
      String(row.samples.length),
      ratio(floorRow ? floorRow.medianMs / ms : NaN),
      ratio(floorAcc ? floorAcc.medianMs / ms : NaN),
      row.role === 'reference' ? '(ref)' : ratio(reference ? ms / reference.medianMs : NaN),
    ]
  })
  const head = `**${table.workload}** — ${fmtBytes(table.bytes)} (${(table.bytes / 1e6).toFixed(2)} MB), ${table.events.toLocaleString('en-US')} events`
  const headers = [
    'contender',
    'input',
    'check',
    'MB/s median (min–max)',
    'events/s',
    'median',
    'n',
    '× floor',
    '× floor+acc',
    'deltafold ÷ this',
  ]
  const notes = table.rows
    .filter((row) => row.note || row.estimate)
    .map((row) => `- ${row.name}: ${[row.note, row.estimate].filter(Boolean).join('; ')}`)
  return [head, '', markdownTable(headers, rows), ...(notes.length ? ['', ...notes] : [])].join('\n')
}

export function renderPlain(table: PlainTable): string {
  return [`**${table.title}**`, '', markdownTable(table.headers, table.rows)].join('\n')
}

/** Renders a whole scenario. */
export function renderScenario(report: ScenarioReport): string {
  const parts = [`### ${report.title}`]
  for (const table of report.tables) parts.push(table.kind === 'throughput' ? renderThroughput(table) : renderPlain(table))
  if (report.notes.length) parts.push(report.notes.map((n) => `- ${n}`).join('\n'))
  return parts.join('\n\n')
}

export { markdownTable }

/** Short row labels for the summary table, so the same contender lines up across workloads. */
const SUMMARY_LABELS: [RegExp, string][] = [
  [/^deltafold createChatCompletionStreamParser/, 'deltafold createChatCompletionStreamParser (sync)'],
  [/^deltafold accumulateChatCompletion/, 'deltafold accumulateChatCompletion(ReadableStream)'],
  [/^deltafold web fromResponse/, 'deltafold web fromResponse()'],
  [/^deltafold web body\.pipeThrough/, 'deltafold web TransformStream pipeline'],
  [/^deltafold parseArguments/, 'deltafold parseArguments, partial read every delta'],
  [/^deltafold chunkEvents: false/, 'deltafold parseArguments + chunkEvents: false, partial every delta'],
  [/^deltafold createPartialJSONParser/, 'deltafold createPartialJSONParser every delta'],
  [/^deltafold parser \+ onEvent/, 'deltafold parser + onEvent'],
  [/^deltafold createSSEDecoder/, 'deltafold createSSEDecoder (decoding only)'],
  [/^floor \(TextDecoder/, 'floor: TextDecoder + indexOf + JSON.parse'],
  [/^floor: indexOf framing only/, 'floor: framing only (decoding only)'],
  [/^floor \+ hand accumulation/, 'floor + hand accumulation'],
  [/^eventsource-parser \+ JSON\.parse/, 'eventsource-parser + JSON.parse + hand acc'],
  [/^eventsource-parser/, 'eventsource-parser (decoding only)'],
  [/^openai chat\.completions\.stream\(\) with a strict tool/, 'openai stream() + strict tool (partial every delta)'],
  [/^openai chat\.completions\.stream/, 'openai chat.completions.stream()'],
  [/^openai Stream\.fromSSEResponse/, 'openai Stream.fromSSEResponse + hand acc'],
  [/^ai-sdk/, 'ai-sdk parseJsonEventStream + hand acc'],
  [/^partial-json/, 'partial-json re-parse every delta'],
]

function summaryLabel(name: string): string {
  return SUMMARY_LABELS.find(([pattern]) => pattern.test(name))?.[1] ?? name
}

/**
 * One table of median MB/s: contenders down, workloads across ("~" = extrapolated, "✗" = the
 * contender's result did not match the ground truth).
 */
export function renderSummary(tables: ThroughputTable[]): string {
  const labels: string[] = []
  const cells = new Map<string, Map<string, string>>()
  for (const table of tables) {
    for (const row of table.rows) {
      const label = summaryLabel(row.name)
      if (!labels.includes(label)) labels.push(label)
      const timed = row.samples.length > 0
      const estimated = !timed && row.estimate !== undefined && Number.isFinite(row.medianMs)
      if (!timed && !estimated) continue
      const value = `${estimated ? '~' : ''}${fmt(mbps(table.bytes, row.medianMs))}${row.check.ok ? '' : ' ✗'}`
      const byTable = cells.get(label) ?? new Map<string, string>()
      byTable.set(table.key, value)
      cells.set(label, byTable)
    }
  }
  return markdownTable(
    ['MB/s (median)', ...tables.map((t) => t.key)],
    labels.map((label) => [label, ...tables.map((t) => cells.get(label)?.get(t.key) ?? '')]),
  )
}
