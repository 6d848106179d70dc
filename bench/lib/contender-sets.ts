/**
 * The contenders that turn a body into a final completion, shared by the chat-text, tool-args and
 * parallel-tools scenarios: deltafold (sync parser, async pipeline, web adapter), the floor (with
 * and without hand accumulation), eventsource-parser, the openai SDK (two entry points), the AI SDK.
 */
import { aiSdkAccumulate } from '../contenders/ai-sdk.js'
import { deltafoldAccumulate, deltafoldParse, deltafoldParseNoFastPath, type WebContender } from '../contenders/deltafold.js'
import { eventsourceParserAccumulate } from '../contenders/eventsource-parser.js'
import { floor, floorAccumulate } from '../contenders/floor.js'
import { createOpenAIClient, openaiChatCompletionStream, openaiStreamDecode } from '../contenders/openai.js'
import type { GeneratedStream } from '../generators/common.js'
import { checkCompletion, type CheckResult } from './ground-truth.js'
import type { Contender } from './measure.js'

const openai = createOpenAIClient()

/** The web adapter's contender, or why it is missing. */
export type WebOption = WebContender[] | { missing: string }

/** Checks the floor's event count (it accumulates nothing). */
export function checkEvents(result: unknown, expected: number): CheckResult {
  const events = (result as { events?: number }).events
  return events === expected ? { ok: true } : { ok: false, detail: `events: got ${String(events)}, expected ${expected}` }
}

/**
 * All bytes → completion contenders for one body.
 * @param generated - the workload and its ground truth
 * @param chunks - its network chunks
 * @param web - the web adapter contender, or why it is missing
 */
export function completionContenders(generated: GeneratedStream, chunks: readonly Uint8Array[], web: WebOption): Contender[] {
  const check = (result: unknown) => checkCompletion(result, generated.expected)
  return [
    {
      name: 'deltafold createChatCompletionStreamParser',
      peer: 'deltafold',
      input: 'sync',
      role: 'reference',
      run: () => deltafoldParse(chunks),
      check,
    },
    { name: 'deltafold (no fast path)', peer: 'deltafold', input: 'sync', run: () => deltafoldParseNoFastPath(chunks), check },
    {
      name: 'floor (TextDecoder+indexOf+JSON.parse)',
      peer: 'floor',
      input: 'sync',
      role: 'floor',
      run: () => floor(chunks),
      check: (r) => checkEvents(r, generated.eventCount),
    },
    { name: 'floor + hand accumulation', peer: 'floor', input: 'sync', role: 'floor+acc', run: () => floorAccumulate(chunks), check },
    {
      name: 'eventsource-parser + JSON.parse + hand acc',
      peer: 'eventsource-parser',
      input: 'sync',
      run: () => eventsourceParserAccumulate(chunks),
      check,
    },
    {
      name: 'deltafold accumulateChatCompletion(ReadableStream)',
      peer: 'deltafold',
      input: 'stream',
      role: 'reference',
      run: () => deltafoldAccumulate(chunks),
      check,
    },
    ...('missing' in web
      ? [
          {
            name: 'deltafold web adapter',
            peer: 'deltafold',
            input: 'stream',
            unavailable: web.missing,
            run: () => null,
            check,
          } satisfies Contender,
        ]
      : web.map(
          (w): Contender => ({ name: `deltafold web ${w.name}`, peer: 'deltafold', input: 'stream', run: () => w.run(chunks), check }),
        )),
    {
      name: 'openai chat.completions.stream().finalChatCompletion()',
      peer: 'openai',
      input: 'stream',
      run: () => {
        openai.setBody(chunks)
        return openaiChatCompletionStream(openai.client)
      },
      check,
    },
    { name: 'openai Stream.fromSSEResponse + hand acc', peer: 'openai', input: 'stream', run: () => openaiStreamDecode(chunks), check },
    { name: 'ai-sdk parseJsonEventStream + hand acc', peer: 'ai-sdk', input: 'stream', run: () => aiSdkAccumulate(chunks), check },
  ]
}

export { openai as sharedOpenAIClient }
