import { describe, expect, test } from 'vitest'
import { scenarios } from '../lib/registry.js'
import type { ScenarioReport } from '../lib/report.js'

/** Every check that failed in a report: mismatches and exceptions, never hidden. */
function failures(report: ScenarioReport): string[] {
  const out: string[] = []
  for (const table of report.tables) {
    if (table.kind === 'throughput') {
      for (const row of table.rows) {
        if (row.unavailable) continue
        if (!row.check.ok) out.push(`${row.name}: ${row.check.detail ?? ''}`)
      }
    } else {
      for (const row of table.rows) for (const cell of row) if (cell.includes('MISMATCH')) out.push(`${row[0]}: ${cell}`)
    }
  }
  return out
}

// Each scenario once at tiny sizes (no warm-up, no GC between iterations): every contender must
// agree with the generator's ground truth, and every timed row must have a time.
describe.each(scenarios.map((s) => [s.id, s] as const))('%s', (_id, scenario) => {
  test('runs at smoke sizes with every contender matching the ground truth', { timeout: 20_000 }, async () => {
    const report = await scenario.run('smoke')
    expect(report.tables.length).toBeGreaterThan(0)
    expect(failures(report)).toEqual([])
    for (const table of report.tables) {
      if (table.kind !== 'throughput') continue
      const timed = table.rows.filter((row) => !row.unavailable && !row.estimate)
      expect(timed.length).toBeGreaterThan(1)
      for (const row of timed) expect(Number.isFinite(row.medianMs), row.name).toBe(true)
    }
  })
})
