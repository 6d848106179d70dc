/**
 * The hand-rolled SVG chart of a bench run: throughput bars per workload and contender (with the
 * min–max whisker), and the tool-args scaling curve on log–log axes (slope 1 = linear, 2 = quadratic).
 */
import { mbps, type Series, type ThroughputTable } from './report.js'

const WIDTH = 980
const LABEL_WIDTH = 430
const BAR_AREA = WIDTH - LABEL_WIDTH - 110
const ROW = 17
const COLORS: Record<string, string> = {
  deltafold: '#2563eb',
  floor: '#6b7280',
  'eventsource-parser': '#d97706',
  openai: '#059669',
  'ai-sdk': '#7c3aed',
  'partial-json': '#dc2626',
}
const SERIES_COLORS = ['#2563eb', '#60a5fa', '#1e3a8a', '#6b7280', '#dc2626', '#059669', '#d97706']

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text
}

function fmt(value: number): string {
  if (value >= 100) return Math.round(value).toString()
  if (value >= 1) return value.toFixed(1)
  return value.toPrecision(2)
}

/**
 * Renders the chart.
 * @param tables - throughput tables to draw as bar groups
 * @param series - the tool-args scaling lines (x: KB of arguments, y: ms per run)
 * @param subtitle - machine and Node version line
 */
export function renderChart(tables: ThroughputTable[], series: Series[], subtitle: string): string {
  const out: string[] = []
  let y = 46
  out.push(
    `<text x="12" y="22" font-size="16" font-weight="bold">deltafold vs peers: throughput (MB/s, median; whisker = min–max of the samples)</text>`,
  )
  out.push(
    `<text x="12" y="38" font-size="11" fill="#555">${escape(subtitle)} — bars are scaled to the fastest contender of each workload; hatched = extrapolated</text>`,
  )
  out.push(
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fecaca"/><line x1="0" y1="0" x2="0" y2="6" stroke="#dc2626" stroke-width="2"/></pattern></defs>`,
  )
  for (const table of tables) {
    const rows = table.rows
      .map((row) => {
        const timed = row.samples.length > 0
        const estimated = !timed && row.estimate !== undefined && Number.isFinite(row.medianMs)
        return {
          row,
          estimated,
          value: timed || estimated ? mbps(table.bytes, row.medianMs) : NaN,
          low: timed ? mbps(table.bytes, row.maxMs) : NaN,
          high: timed ? mbps(table.bytes, row.minMs) : NaN,
        }
      })
      .filter((r) => Number.isFinite(r.value))
    if (rows.length === 0) continue
    const max = Math.max(...rows.map((r) => (Number.isFinite(r.high) ? r.high : r.value)))
    y += 8
    out.push(`<text x="12" y="${y + 12}" font-size="13" font-weight="bold">${escape(clip(table.workload, 150))}</text>`)
    y += 20
    for (const r of rows) {
      const color = COLORS[r.row.peer] ?? '#9ca3af'
      const width = Math.max(1, (r.value / max) * BAR_AREA)
      const mismatch = !r.row.check.ok
      out.push(
        `<text x="${LABEL_WIDTH - 6}" y="${y + 12}" font-size="11" text-anchor="end">${escape(clip(r.row.name, 72))}${mismatch ? ' ⚠ mismatch' : ''}</text>`,
      )
      out.push(
        `<rect x="${LABEL_WIDTH}" y="${y + 2}" width="${width.toFixed(1)}" height="${ROW - 5}" fill="${r.estimated ? 'url(#hatch)' : color}"${r.row.role === 'reference' ? ' stroke="#111" stroke-width="1"' : ''}/>`,
      )
      if (Number.isFinite(r.low) && Number.isFinite(r.high)) {
        const x1 = LABEL_WIDTH + (r.low / max) * BAR_AREA
        const x2 = LABEL_WIDTH + (r.high / max) * BAR_AREA
        const cy = y + 2 + (ROW - 5) / 2
        out.push(`<line x1="${x1.toFixed(1)}" y1="${cy}" x2="${x2.toFixed(1)}" y2="${cy}" stroke="#111" stroke-width="1"/>`)
      }
      out.push(
        `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 12}" font-size="11">${r.estimated ? '~' : ''}${fmt(r.value)}</text>`,
      )
      y += ROW
    }
  }
  y += 24
  const plot = renderScaling(series, y)
  out.push(plot.svg)
  y = plot.bottom + 16
  const legend = Object.entries(COLORS)
    .map(
      ([peer, color], i) =>
        `<rect x="${12 + i * 150}" y="${y}" width="10" height="10" fill="${color}"/><text x="${26 + i * 150}" y="${y + 9}" font-size="11">${escape(peer)}</text>`,
    )
    .join('')
  out.push(legend)
  y += 24
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="Helvetica, Arial, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${out.join('')}</svg>\n`
}

function renderScaling(series: Series[], top: number): { svg: string; bottom: number } {
  const points = series.flatMap((s) => s.points)
  if (points.length === 0) return { svg: '', bottom: top }
  const out: string[] = []
  out.push(
    `<text x="12" y="${top + 12}" font-size="13" font-weight="bold">tool-args scaling: milliseconds per run vs arguments size (log–log; slope 1 = linear, 2 = quadratic; hollow = extrapolated)</text>`,
  )
  const left = 80
  const right = WIDTH - 300
  const plotTop = top + 28
  const plotBottom = plotTop + 300
  const xs = points.map((p) => p.x)
  const ys = points.map((p) => p.y).filter((v) => v > 0)
  const xMin = Math.log10(Math.min(...xs)) - 0.05
  const xMax = Math.log10(Math.max(...xs)) + 0.05
  const yMin = Math.floor(Math.log10(Math.min(...ys)))
  const yMax = Math.ceil(Math.log10(Math.max(...ys)))
  const px = (x: number) => left + ((Math.log10(x) - xMin) / (xMax - xMin || 1)) * (right - left)
  const py = (v: number) => plotBottom - ((Math.log10(v) - yMin) / (yMax - yMin || 1)) * (plotBottom - plotTop)
  out.push(`<rect x="${left}" y="${plotTop}" width="${right - left}" height="${plotBottom - plotTop}" fill="none" stroke="#999"/>`)
  for (let e = yMin; e <= yMax; e++) {
    const v = 10 ** e
    out.push(`<line x1="${left}" y1="${py(v)}" x2="${right}" y2="${py(v)}" stroke="#eee"/>`)
    out.push(`<text x="${left - 6}" y="${py(v) + 4}" font-size="10" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`)
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${px(x)}" y1="${plotTop}" x2="${px(x)}" y2="${plotBottom}" stroke="#eee"/>`)
    out.push(`<text x="${px(x)}" y="${plotBottom + 14}" font-size="10" text-anchor="middle">${x} K</text>`)
  }
  out.push(
    `<text x="${(left + right) / 2}" y="${plotBottom + 30}" font-size="11" text-anchor="middle">arguments size (thousands of characters)</text>`,
  )
  series.forEach((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!
    const sorted = [...s.points].sort((a, b) => a.x - b.x)
    for (let k = 1; k < sorted.length; k++) {
      const a = sorted[k - 1]!
      const b = sorted[k]!
      out.push(
        `<line x1="${px(a.x).toFixed(1)}" y1="${py(a.y).toFixed(1)}" x2="${px(b.x).toFixed(1)}" y2="${py(b.y).toFixed(1)}" stroke="${color}" stroke-width="2"${b.extrapolated ? ' stroke-dasharray="5 4"' : ''}/>`,
      )
    }
    for (const p of sorted) {
      out.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${p.extrapolated ? '#fff' : color}" stroke="${color}" stroke-width="1.5"/>`,
      )
    }
    const ly = plotTop + 10 + i * 18
    out.push(`<line x1="${right + 14}" y1="${ly}" x2="${right + 34}" y2="${ly}" stroke="${color}" stroke-width="2"/>`)
    out.push(`<text x="${right + 40}" y="${ly + 4}" font-size="11">${escape(clip(s.name, 40))}</text>`)
  })
  return { svg: out.join(''), bottom: plotBottom + 40 }
}
