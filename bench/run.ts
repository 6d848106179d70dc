/**
 * Runs the benchmarks and prints the tables; a complete full-size run also writes
 * `results/latest.md` and `results/chart.svg`.
 *
 *   pnpm bench                                          (repository root: builds the packages, then runs all)
 *   pnpm --filter @deltafold/bench run bench -- [--smoke] [--write] [scenario …]
 *
 * The bench script bundles these TypeScript files with esbuild (packages left external) and runs the
 * bundle with plain `node --expose-gc`. It does not run through tsx: tsx transforms the workspace
 * packages' dist files it loads (they resolve outside node_modules) with esbuild's `keepNames`, which
 * wraps every function in `__name()`; on deltafold's closure-based factories that adds a 256-byte
 * property dictionary per closure (an empty accumulator measured 10.6 KB instead of 3.2 KB) and would
 * skew the comparison against the untransformed peers.
 *
 * Scenarios: chat-text, sse-decode, tool-args, parallel-tools, long-event, many-streams, one-buffer, anthropic, gateway, responses.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { renderChart } from './lib/chart.js'
import { scenarios } from './lib/registry.js'
import { renderScenario, renderSummary, type ScenarioReport, type Series, type ThroughputTable } from './lib/report.js'
import { judgeTargets, renderTargets } from './lib/targets.js'

const args = process.argv.slice(2)
const smoke = args.includes('--smoke')
const selected = args.filter((a) => !a.startsWith('--'))
const unknown = selected.filter((id) => !scenarios.some((s) => s.id === id))
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.map((u) => `"${u}"`).join(', ')}: pick from ${scenarios.map((s) => s.id).join(', ')}`)
  process.exit(2)
}
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('Run with --expose-gc: pnpm --filter @deltafold/bench run bench (node --expose-gc dist/run.mjs)')
  process.exit(2)
}
const toRun = selected.length > 0 ? scenarios.filter((s) => selected.includes(s.id)) : scenarios
const write = args.includes('--write') || (!smoke && selected.length === 0)

// The bench directory, whether this runs as the bundle in dist/ or from source.
const here = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../' : './', import.meta.url))
const version = (name: string): string => {
  try {
    return (JSON.parse(readFileSync(`${here}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version
  } catch {
    return '?'
  }
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()} (${os.arch()})`
const peers = ['eventsource-parser', 'openai', '@anthropic-ai/sdk', '@ai-sdk/provider-utils', 'partial-json', 'tinybench']
  .map((n) => `${n} ${version(n)}`)
  .join(', ')
// Which deltafold was measured: the commit, and whether the packages had uncommitted changes (read-only git calls).
const revision = (() => {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = git('status', '--porcelain', '--', '../packages').split('\n').filter(Boolean).length
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + uncommitted changes in ${dirty} file(s) under packages/` : ''}`
  } catch {
    return 'unknown (no git)'
  }
})()
const command = smoke || selected.length > 0 ? `pnpm --filter @deltafold/bench run bench -- ${args.join(' ')}` : 'pnpm bench'

console.log(
  `deltafold bench — ${smoke ? 'SMOKE sizes' : 'full sizes'}\nmachine: ${machine}\nNode ${process.version}; deltafold at ${revision}; ${peers}\n`,
)
const started = performance.now()
const reports: ScenarioReport[] = []
for (const scenario of toRun) {
  const t = performance.now()
  const report = await scenario.run(smoke ? 'smoke' : 'full')
  reports.push(report)
  console.log(renderScenario(report))
  console.log(`\n(${scenario.id}: ${((performance.now() - t) / 1000).toFixed(1)} s)\n`)
}
const seconds = (performance.now() - started) / 1000
const metrics = Object.assign({}, ...reports.map((r) => r.metrics)) as Record<string, number>
const targets = renderTargets(judgeTargets(metrics))
const throughputTables = reports.flatMap((r) => r.tables).filter((t): t is ThroughputTable => t.kind === 'throughput')
const summary = renderSummary(throughputTables)
console.log(`### Summary (MB/s, median)\n\n${summary}\n\n### Targets\n\n${targets}\n\nTotal ${seconds.toFixed(0)} s`)

if (write) {
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ')
  const header = [
    '# deltafold benchmarks — latest run',
    '',
    `- Date: ${date} UTC; total ${seconds.toFixed(0)} s`,
    `- Machine: ${machine} (shared and noisy: compare only within one run)`,
    `- Node: ${process.version}`,
    `- Command: \`${command}\` (root script: \`pnpm build && pnpm --filter @deltafold/bench run bench\`; the bench script bundles \`bench/*.ts\` with esbuild, packages external, and runs \`node --expose-gc dist/run.mjs\`)`,
    `- deltafold: packages built from git ${revision}`,
    `- Peers: ${peers}`,
    '- MB/s = 10^6 bytes of response body per second; events/s = SSE events (`[DONE]` included) per second. Medians over all',
    '  timed iterations (several rounds, contender order rotated, full GC before each iteration outside the timed window), with the',
    '  min–max range. "× floor" and "× floor+acc" are throughput relative to those rows; "deltafold ÷ this" is how many times',
    '  longer this contender takes than deltafold with the same kind of input (sync parser for sync rows, ReadableStream pipeline',
    "  for stream rows). Every contender was checked against the generator's ground truth before timing.",
    '',
    '![](chart.svg)',
    '',
    '## Targets',
    '',
    targets,
    '',
    '## Summary (MB/s, median; ~ = extrapolated, ✗ = result did not match the ground truth)',
    '',
    summary,
    '',
    '## Results',
    '',
    ...reports.map((r) => renderScenario(r) + '\n'),
  ].join('\n')
  mkdirSync(`${here}results`, { recursive: true })
  writeFileSync(`${here}results/latest.md`, header)
  const tables = throughputTables
  const series: Series[] = reports.flatMap((r) => r.series ?? [])
  writeFileSync(`${here}results/chart.svg`, renderChart(tables, series, `${machine}; Node ${process.version}; ${date} UTC`))
  console.log(`\nWrote ${here}results/latest.md and ${here}results/chart.svg`)
}
