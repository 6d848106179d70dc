/**
 * @ai-sdk/provider-utils 4.0.66 (the last line that runs on Node 20; 5.x needs Node 22):
 * `parseJsonEventStream` over the body (`TextDecoderStream` → eventsource-parser 3's
 * `EventSourceParserStream` → `safeParseJSON`), with a pass-through schema made by the package's own
 * `jsonSchema()` (the AI SDK's OpenAI provider passes a zod schema: zod's cost is left out), then the
 * hand accumulation.
 */
import { jsonSchema, parseJsonEventStream } from '@ai-sdk/provider-utils'
import { createHandAccumulator, type HandCompletion, type LooseChunk } from './hand-accumulator.js'
import { toReadableStream } from './readable.js'

const passThrough = jsonSchema<LooseChunk>({}, { validate: (value) => ({ success: true, value: value as LooseChunk }) })

/** Bytes (as a ReadableStream) → final completion. */
export async function aiSdkAccumulate(chunks: readonly Uint8Array[]): Promise<HandCompletion> {
  const accumulator = createHandAccumulator()
  const reader = parseJsonEventStream({ stream: toReadableStream(chunks), schema: passThrough }).getReader()
  for (;;) {
    const result = await reader.read()
    if (result.done) break
    const parsed = result.value
    if (!parsed.success) throw parsed.error
    accumulator.push(parsed.value)
  }
  return accumulator.result()
}
