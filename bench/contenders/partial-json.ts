/**
 * partial-json 0.1.7, the common user pattern: accumulate the arguments string by hand and re-parse
 * all of it with `parse()` after every delta. Quadratic in the arguments size by design.
 */
import { parse } from 'partial-json'
import { floorParse } from './floor.js'
import { createHandAccumulator } from './hand-accumulator.js'
import type { PartialRun } from './deltafold.js'

/** Floor framing + hand accumulation + `parse(accumulated arguments)` after each arguments delta. */
export function partialJsonReparse(chunks: readonly Uint8Array[]): PartialRun {
  const accumulator = createHandAccumulator()
  const partials: unknown[] = []
  let reads = 0
  floorParse(chunks, (chunk) => {
    accumulator.push(chunk)
    const calls = chunk.choices?.[0]?.delta?.tool_calls
    if (!calls) return
    const message = accumulator.result().choices[0]!.message
    for (const call of calls) {
      if (!call.function?.arguments) continue
      partials[call.index] = parse(message.tool_calls![call.index]!.function.arguments)
      reads++
    }
  })
  return { completion: accumulator.result(), partials, reads }
}
