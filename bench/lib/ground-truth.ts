/**
 * What a workload's final completion must be, and how any contender's result is compared to it.
 * Every contender (deltafold, the openai SDK, hand accumulations) returns a differently shaped
 * object; `summarize` reduces each to the fields the workloads exercise, so one deep comparison
 * checks them all.
 */

/** The canonical summary of a final `chat.completion`. */
export interface CompletionSummary {
  id: string
  model: string
  created: number
  choices: ChoiceSummary[]
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null
}

export interface ChoiceSummary {
  index: number
  role: string
  /** `''` and `null` are the same here: the SDKs disagree on an empty content. */
  content: string | null
  finish_reason: string | null
  tool_calls: { id: string; name: string; arguments: string }[]
}

/** The outcome of checking one contender against the ground truth. */
export interface CheckResult {
  ok: boolean
  /** Why not, for the table: the first differing path and the two values, clipped. */
  detail?: string
}

type Loose = Record<string, unknown>

/**
 * Reduces a completion-like object (any contender's) to a {@link CompletionSummary}.
 * @param completion - deltafold's `ChatCompletion`, the SDK's, or a hand accumulation's
 */
export function summarize(completion: unknown): CompletionSummary {
  const c = (completion ?? {}) as Loose
  const choices = Array.isArray(c.choices) ? (c.choices as Loose[]) : []
  const usage = c.usage as Loose | null | undefined
  return {
    id: String(c.id ?? ''),
    model: String(c.model ?? ''),
    created: Number(c.created ?? 0),
    choices: choices
      .filter((choice) => choice !== undefined && choice !== null)
      .map((choice) => {
        const message = (choice.message ?? {}) as Loose
        const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Loose[]) : []
        const content = message.content
        return {
          index: Number(choice.index),
          role: String(message.role ?? ''),
          content: typeof content === 'string' && content !== '' ? content : null,
          finish_reason: (choice.finish_reason as string | null | undefined) ?? null,
          tool_calls: calls
            .filter((call) => call !== undefined && call !== null)
            .map((call) => {
              const fn = (call.function ?? {}) as Loose
              return { id: String(call.id ?? ''), name: String(fn.name ?? ''), arguments: String(fn.arguments ?? '') }
            }),
        }
      }),
    usage:
      usage === undefined || usage === null
        ? null
        : {
            prompt_tokens: Number(usage.prompt_tokens),
            completion_tokens: Number(usage.completion_tokens),
            total_tokens: Number(usage.total_tokens),
          },
  }
}

/**
 * Deep-compares two JSON values and names the first difference.
 * @param actual - what the contender produced
 * @param expected - the generator's ground truth
 */
export function compare(actual: unknown, expected: unknown, path = '$'): CheckResult {
  if (Object.is(actual, expected)) return { ok: true }
  if (typeof actual !== typeof expected || actual === null || expected === null || typeof actual !== 'object') {
    return { ok: false, detail: `${path}: got ${clip(actual)}, expected ${clip(expected)}` }
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) {
    return { ok: false, detail: `${path}: got ${clip(actual)}, expected ${clip(expected)}` }
  }
  const a = actual as Loose
  const e = expected as Loose
  if (Array.isArray(a) && Array.isArray(e) && a.length !== e.length) {
    return { ok: false, detail: `${path}: length ${a.length}, expected ${e.length}` }
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(e)])
  for (const key of keys) {
    const result = compare(a[key], e[key], `${path}.${key}`)
    if (!result.ok) return result
  }
  return { ok: true }
}

/**
 * Checks a contender's final completion against the expected summary.
 * @param completion - the contender's result
 * @param expected - the generator's ground truth
 */
export function checkCompletion(completion: unknown, expected: CompletionSummary): CheckResult {
  return compare(summarize(completion), expected)
}

function clip(value: unknown): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value))
  if (text.length <= 60) return text
  return `${text.slice(0, 57)}… (${text.length} chars)`
}
