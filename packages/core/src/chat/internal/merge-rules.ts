/**
 * The merge primitives: each rule of the fold written once, called by the generic path
 * (`apply.ts`) and by the fast path (`apply-fast.ts`) alike. A comment at each rule names its test.
 */
import type { CompletionEvent, ReasoningField } from '../completion-event.js'
import { createPartialJSONParser } from '../../json/partial-json-parser.js'
import type { AccumulatorState, ChoiceState, ToolCallState } from './accumulator-state.js'
import { count } from './budget.js'
import { grown } from './rope.js'
import { describe, fail } from './values.js'

/**
 * Role is set, never appended (OpenRouter and Perplexity repeat it on every delta). Test:
 * "$quirk: role is set, never appended (default "assistant") (B7)".
 */
export function setRole(s: AccumulatorState, choice: ChoiceState, role: string, path: string): void {
  if (choice.role === role) return
  count(s, role.length, path)
  choice.role = role
  const emit = s.emit
  if (emit) emit({ type: 'role', index: choice.index, role })
}

/**
 * Content is appended; `null` until a string delta arrives; with `parseArguments` it is parsed
 * incrementally as JSON (tests: "$quirk: content and refusal are null unless a string delta arrived
 * (B8)", "parseArguments: JSON content is parsed incrementally; …").
 */
export function appendContent(s: AccumulatorState, choice: ChoiceState, text: string, path: string): void {
  const emit = s.emit
  count(s, text.length, path)
  const first = choice.content === null
  if (first) choice.content = text
  else {
    const next = (choice.content as string) + text
    choice.contentPieces = grown(choice.contentPieces, next)
    choice.content = next
  }
  if (s.parseArguments && first) choice.contentParser = createPartialJSONParser()
  if (text === '') return
  choice.closed = false
  let partial: unknown
  const parser = choice.contentParser
  if (parser) {
    try {
      parser.feed(text)
      partial = parser.value
    } catch (error) {
      // Not JSON: plain text content. Stop parsing; content.done reports the error.
      choice.contentParser = undefined
      choice.contentParseError = error
    }
  }
  if (emit) {
    if (s.parseArguments) emit({ type: 'content.delta', index: choice.index, delta: text, partial })
    else emit({ type: 'content.delta', index: choice.index, delta: text })
  }
}

/** `refusal` is appended like content: `null` until a string arrives (test: "$quirk: content and refusal are null unless a string delta arrived (B8)"). */
export function appendRefusal(s: AccumulatorState, choice: ChoiceState, text: string, path: string): void {
  count(s, text.length, path)
  if (choice.refusal === null) choice.refusal = text
  else {
    const next = choice.refusal + text
    choice.refusalPieces = grown(choice.refusalPieces, next)
    choice.refusal = next
  }
  if (text === '') return
  choice.closed = false
  const emit = s.emit
  if (emit) emit({ type: 'refusal.delta', index: choice.index, delta: text })
}

/**
 * Appends a reasoning fragment to the field it came in: `reasoning` to its own text, everything else
 * (`reasoning_content`, Mistral's thinking parts, field `content`) to `reasoning_content`. `mirror`:
 * the same delta carried this text in the other field, whose event stands for both.
 * Tests: "reasoning: different texts in reasoning_content and reasoning stay apart",
 * "reasoning: the same text mirrored in both fields is kept in both, with one event".
 */
export function appendReasoning(
  s: AccumulatorState,
  choice: ChoiceState,
  text: string,
  field: ReasoningField,
  path: string,
  mirror: boolean,
): void {
  const emit = s.emit
  count(s, text.length, path)
  if (field === 'reasoning') {
    if (choice.reasoningText === null) choice.reasoningText = text
    else {
      const next = choice.reasoningText + text
      choice.reasoningTextPieces = grown(choice.reasoningTextPieces, next)
      choice.reasoningText = next
    }
  } else if (choice.reasoningContent === null) choice.reasoningContent = text
  else {
    const next = choice.reasoningContent + text
    choice.reasoningPieces = grown(choice.reasoningPieces, next)
    choice.reasoningContent = next
  }
  if (text === '') return
  choice.closed = false
  if (emit && !mirror) emit({ type: 'reasoning.delta', index: choice.index, delta: text, field })
}

/**
 * Appends a fragment of a call's arguments (or of a custom call's input); returns it as the delta
 * to report, or undefined for "". Tests: "$quirk: id and type set once, name set/skipped/appended, arguments
 * appended (D3)", "custom tool calls: input fragments are appended, and no function member is invented".
 */
export function appendArguments(s: AccumulatorState, call: ToolCallState, text: string, path: string): string | undefined {
  if (text === '') return undefined
  count(s, text.length, path)
  const next = call.args + text
  call.argPieces = grown(call.argPieces, next)
  call.args = next
  return text
}

/**
 * A call's `type`: the first non-empty value (repeats, as Qwen sends them, are ignored). A
 * "custom" type makes the call a custom call (tests: "$quirk: id and type set once, … (D3)",
 * "custom tool calls: input fragments are appended, and no function member is invented").
 */
export function setToolType(s: AccumulatorState, call: ToolCallState, type: string, path: string): void {
  if (type === '' || call.type !== '') return
  count(s, type.length, path)
  call.type = type
  if (type === 'custom') makeCustom(call)
}

/**
 * A delta addressed this call: an index-less, id-less fragment continues it next, and a call sent
 * without an index later gets one above it (tests: "tool calls without index: $quirk (D1)").
 */
export function touchCall(choice: ChoiceState, call: ToolCallState): void {
  choice.lastCall = call
  if (call.index >= choice.nextToolIndex) choice.nextToolIndex = call.index + 1
}

/** A custom call's input is free text: it is never parsed as JSON. */
export function makeCustom(call: ToolCallState): void {
  call.custom = true
  call.parser = undefined
  call.parseError = undefined
}

/**
 * A call's name: set when empty, skipped when repeated (Kimi, MiniMax), appended when it is a new
 * fragment. Tests: "$quirk: id and type set once, name set/skipped/appended, arguments appended
 * (D3)", "custom tool calls: matched by id first, like function calls".
 */
export function setToolName(s: AccumulatorState, call: ToolCallState, name: unknown, path: string): void {
  if (name === undefined || name === null) return
  if (typeof name !== 'string')
    fail(
      'invalid_type',
      `Expected ${path.endsWith('custom.name') ? 'custom' : 'function'} name to be a string, got ${describe(name)}`,
      path,
    )
  if (name === '' || name === call.name) return
  count(s, name.length, path)
  call.name = call.name === '' ? name : call.name + name
}

export function startCall(s: AccumulatorState, choice: ChoiceState, call: ToolCallState): void {
  const emit = s.emit
  call.started = true
  if (!emit) return
  const event: CompletionEvent = { type: 'tool_call.start', index: choice.index, toolCallIndex: call.index, id: call.id, name: call.name }
  if (call.custom) event.toolType = 'custom'
  emit(event)
}

/** The end of a tool-call delta: `tool_call.start` when due, then the arguments fragment, if any. */
export function toolCallDelta(s: AccumulatorState, choice: ChoiceState, call: ToolCallState, argsDelta: string | undefined): void {
  const emit = s.emit
  // The start waits for the name (it may come after the id), but never past the first arguments.
  if (!call.started && (call.name !== '' || argsDelta !== undefined)) startCall(s, choice, call)
  if (argsDelta !== undefined) {
    choice.closed = false
    let partial: unknown
    const parser = call.parser
    if (parser) {
      try {
        parser.feed(argsDelta)
        partial = parser.value
      } catch (error) {
        // Invalid JSON from the model is a per-call problem: tool_call.done reports it.
        call.parser = undefined
        call.parseError = error
      }
    }
    if (emit) {
      const event: CompletionEvent = {
        type: 'tool_call.arguments.delta',
        index: choice.index,
        toolCallIndex: call.index,
        id: call.id,
        delta: argsDelta,
      }
      if (s.parseArguments && !call.custom) event.partial = partial
      emit(event)
    }
  }
}
