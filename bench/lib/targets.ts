/**
 * The targets of the benchmark issue, judged on one run's figures. Each says what was measured;
 * a target whose figures are missing is reported as not measured, never as met.
 */
import { markdownTable } from './report.js'

export interface Target {
  name: string
  goal: string
  measured: string
  met: boolean | undefined
}

const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—')

/** Judges every target from the scenarios' metrics. */
export function judgeTargets(m: Record<string, number>): Target[] {
  const targets: Target[] = []
  const add = (name: string, goal: string, value: number, met: (v: number) => boolean, measured = x(value)) =>
    targets.push({ name, goal, measured, met: Number.isFinite(value) ? met(value) : undefined })
  const get = (key: string) => m[key] ?? NaN

  add('chat-text vs floor + hand accumulation', 'deltafold faster (> 1.00×)', get('chat.floorAcc') / get('chat.deltafold'), (v) => v > 1)
  add('chat-text vs eventsource-parser + accumulation', '≥ 1.20×', get('chat.esp') / get('chat.deltafold'), (v) => v >= 1.2)
  add(
    'chat-text vs openai SDK (stream vs stream)',
    '≥ 4.00×',
    get('chat.openai') / get('chat.deltafoldStream'),
    (v) => v >= 4,
    `${x(get('chat.openai') / get('chat.deltafoldStream'))} (sync parser: ${x(get('chat.openai') / get('chat.deltafold'))})`,
  )
  add(
    'SSE decoding alone, byte input',
    'faster than eventsource-parser (> 1.00×)',
    get('sse.bytes.esp') / get('sse.bytes.deltafold'),
    (v) => v > 1,
  )
  add(
    'SSE decoding alone, string input',
    'faster than eventsource-parser (> 1.00×)',
    get('sse.string.esp') / get('sse.string.deltafold'),
    (v) => v > 1,
  )
  for (const size of ['100', '300', '1000']) {
    const plain = get(`tool.${size}.plain`)
    if (!Number.isFinite(plain)) continue
    add(
      `tool-args ${size} K: partial read every delta vs without`,
      '≤ 1.30× the time',
      get(`tool.${size}.partial`) / plain,
      (v) => v <= 1.3,
      `${x(get(`tool.${size}.partial`) / plain)} (chunkEvents: false: ${x(get(`tool.${size}.partialNoChunks`) / plain)}; createPartialJSONParser: ${x(get(`tool.${size}.partialParser`) / plain)})`,
    )
  }
  add(
    'tool-args linear 100 K → 1 M (partial read every delta)',
    'time ratio ÷ byte ratio ≤ 1.25',
    get('tool.scaling.partial'),
    (v) => v <= 1.25,
    `${get('tool.scaling.partial').toFixed(2)} (without partial read: ${get('tool.scaling.plain').toFixed(2)})`,
  )
  for (const size of ['100', '300', '1000']) {
    const plain = get(`tool.${size}.plain`)
    if (!Number.isFinite(plain)) continue
    add(`tool-args ${size} K vs floor + hand accumulation`, '≥ 1.00×', get(`tool.${size}.floorAcc`) / plain, (v) => v >= 1)
  }
  add('parallel-tools vs floor + hand accumulation', '≥ 1.00×', get('parallel.floorAcc') / get('parallel.deltafold'), (v) => v >= 1)
  add(
    'heap per idle in-flight stream parser (20 events)',
    '≤ 2,048 bytes',
    get('many.parser'),
    (v) => v <= 2048,
    `${Math.round(get('many.parser')).toLocaleString('en-US')} B (accumulator alone: ${Math.round(get('many.accumulator')).toLocaleString('en-US')} B; hand accumulation: ${Math.round(get('many.hand')).toLocaleString('en-US')} B)`,
  )
  add(
    'long event 4 → 16 MiB, full parser',
    'linear: time ratio ÷ size ratio ≤ 1.25',
    get('long.parser.scaling'),
    (v) => v <= 1.25,
    `${get('long.parser.scaling').toFixed(2)} (decoder alone: ${get('long.decoder.scaling').toFixed(2)})`,
  )
  return targets
}

export function renderTargets(targets: Target[]): string {
  return markdownTable(
    ['target', 'goal', 'measured', 'verdict'],
    targets.map((t) => [t.name, t.goal, t.measured, t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**']),
  )
}
