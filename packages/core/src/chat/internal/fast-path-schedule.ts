import type { FastTemplate } from './fast-path.js'

/**
 * When the stream parser tries the fast path (see `fastPath` in the stream options): the counters
 * live on the parser's state (one object per stream, no closures), the policy here.
 *
 * Making a template costs about two `JSON.parse`, so a stream whose chunks never repeat a shape
 * stops trying after {@link TEMPLATE_TRIES} (plus one per {@link HITS_PER_TRY} hits). Past
 * {@link MISS_WINDOW} payloads in a row on the generic path the template is dropped and shapes are
 * looked at on every {@link MISS_WINDOW}th only: a stream the fast path cannot help (an id per
 * chunk, usage on every chunk) then pays ~1% for it instead of 4-10% (measured on 10 MB of such
 * chunks, node 20).
 */
export interface FastPathSchedule {
  /** The shape of the last chunk the generic path applied that the fast path can repeat, if any. */
  template: FastTemplate | undefined
  /** Templates made (or tried). */
  templatesMade: number
  /** Payloads the fast path applied. */
  fastHits: number
  /** Payloads in a row that took the generic path. */
  misses: number
}

/** Templates tried before any hit. */
const TEMPLATE_TRIES = 4
/** One more try per this many hits (a power of two: `fastHits >>> 5`). */
const HITS_PER_TRY_SHIFT = 5
export const HITS_PER_TRY = 1 << HITS_PER_TRY_SHIFT
/** Generic payloads in a row before the template is dropped; then every this many (a power of two). */
export const MISS_WINDOW = 32

/** The fast path applied a payload. */
export function fastPathHit(s: FastPathSchedule): void {
  s.fastHits++
  s.misses = 0
}

/**
 * The generic path applied a payload: whether to look at its shape for a template. Drops the
 * template once the misses pass the window.
 */
export function scheduleTemplate(s: FastPathSchedule): boolean {
  const misses = ++s.misses
  if (misses <= MISS_WINDOW) return true
  if ((misses & (MISS_WINDOW - 1)) !== 0) return false
  s.template = undefined
  return true
}

/** Whether another template may be made now. */
export function mayMakeTemplate(s: FastPathSchedule): boolean {
  return s.templatesMade < TEMPLATE_TRIES + (s.fastHits >>> HITS_PER_TRY_SHIFT)
}

/** A template was tried: `template` is the one made, undefined when the shape cannot have one. */
export function templateMade(s: FastPathSchedule, template: FastTemplate | undefined): void {
  s.templatesMade++
  if (template !== undefined) {
    s.template = template
    s.misses = 0
  }
}
