import type { ChatCompletionChunk } from '../types.js'
import { chunkOf, intact, type FastTemplate } from './fast-path-match.js'
import { findChoice, type AccumulatorState, type ToolCallState } from './accumulator-state.js'
import { keepExtras } from './budget.js'
import { apply, applyMetadata } from './apply.js'
import { stop } from './finalize.js'
import { appendArguments, appendContent, appendReasoning, setRole, setToolType, toolCallDelta, touchCall } from './merge-rules.js'

/**
 * The fast entry, for the stream parser only: applies the payload `t` matched last (see
 * `fast-path-match.ts`) exactly as `push(JSON.parse(payload))` would, emitting the same events
 * (the `chunk` event's object is built from the template) and raising the same errors; it returns
 * false, having changed nothing, when it cannot (no such choice or tool call yet, the accumulator
 * stopped), and the caller then takes the generic path.
 *
 * It does what `apply` does for a chunk of the template's shape (see `shapeOf` in
 * `fast-path-template.ts`), step for step, through the same merge primitives (`merge-rules.ts`): it
 * re-implements no rule. Metadata, null usage, error, finish_reason and logprobs are no-ops once the
 * template's own chunk was applied; the provider fields it carries go through `applyMetadata` and
 * `keepExtras` as in `apply`; then the delta, in `applyDelta` and `applyToolCall` order. Paths are
 * those of `$.choices[0]`. Custom tool-call fragments (`custom.input`) never make a template
 * (`shapeOf` accepts a `function` member only), so they always take the generic path.
 *
 * @param s - the accumulator's state
 * @param t - the template, holding the values of the payload it matched last
 * @internal
 */
export function pushFast(s: AccumulatorState, t: FastTemplate): boolean {
  const emit = s.emit
  if (s.finalCompletion || s.failed) return false
  // Indexes of existing choices and calls are below their limits: no validIndex needed.
  const choice = findChoice(s, t.choice)
  if (!choice) return false
  let call: ToolCallState | undefined
  if (t.field === 'arguments') {
    call = choice.toolByIndex?.get(t.tool)
    if (!call) return false
  }
  try {
    s.chunkCount++
    if (emit && s.chunkEvents) {
      // Building the chunk for the event (and checking it for changes afterwards) is most of what a
      // listener costs on this path; a lazy accessor measured no cheaper (V8 makes accessor objects
      // slow), so it is built eagerly.
      const chunk = chunkOf(t)
      emit({ type: 'chunk', chunk: chunk as ChatCompletionChunk })
      // The listener changed the chunk: apply what it holds now, as push() would have.
      if (!intact(t, chunk)) {
        apply(s, chunk, true)
        return true
      }
    }
    s.chunkPos = 0
    const rest = t.rest
    if (rest) {
      if (rest.top) applyMetadata(s, rest.top)
      if (rest.choice) choice.choiceExtras = keepExtras(s, rest.choice, choice.choiceExtras, '$.choices[0]')
    }
    const role = t.role
    if (role !== undefined) setRole(s, choice, role, '$.choices[0].delta.role')
    const text = t.text
    switch (t.field) {
      case 'content':
        appendContent(s, choice, text, '$.choices[0].delta.content')
        return true
      case 'reasoning_content':
        appendReasoning(s, choice, text, 'reasoning_content', '$.choices[0].delta.reasoning_content', false)
        return true
      case 'reasoning':
        appendReasoning(s, choice, text, 'reasoning', '$.choices[0].delta.reasoning', false)
        return true
    }
    // applyToolCall for { index, function: { arguments } } with id and name absent, null or "": the call at the index.
    call = call!
    touchCall(choice, call)
    if (t.toolType !== undefined) setToolType(s, call, t.toolType, '$.choices[0].delta.tool_calls[0].type')
    const argsDelta = appendArguments(s, call, text, '$.choices[0].delta.tool_calls[0].function.arguments')
    if (rest?.fn) call.functionExtras = keepExtras(s, rest.fn, call.functionExtras, '$.choices[0].delta.tool_calls[0].function')
    if (rest?.call) call.extras = keepExtras(s, rest.call, call.extras, '$.choices[0].delta.tool_calls[0]')
    toolCallDelta(s, choice, call, argsDelta)
    return true
  } catch (error) {
    stop(s, error)
  }
}
