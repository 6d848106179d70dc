/**
 * Finalizing: the `.done` events of a choice, the built completion (a pure function of the state:
 * `snapshot()` and `finish()` both call it), and the first error stopping the accumulator.
 */
import { DeltafoldError } from '../../errors.js'
import type { CompletionEvent } from '../completion-event.js'
import type { ChatCompletion } from '../types.js'
import { sortedCalls, sortedChoices, type AccumulatorState, type ChoiceState, type ToolCallState } from './accumulator-state.js'
import {
  AUDIO_FIELDS,
  CHOICE_FIELDS,
  CUSTOM_FIELDS,
  FUNCTION_FIELDS,
  LOGPROBS_FIELDS,
  MESSAGE_FIELDS,
  TEXT_CHOICE_FIELDS,
  TEXT_LOGPROBS_FIELDS,
  TOOL_CALL_FIELDS,
} from './field-tables.js'
import { startCall } from './merge-rules.js'
import { clone, copyExtras, fail } from './values.js'

/** The first error stops the accumulator and gets the partial result. */
export function stop(s: AccumulatorState, error: unknown): never {
  s.failed = true
  s.failure = error
  if (error instanceof DeltafoldError) error.partial ??= build(s)
  throw error
}

/** Emits the `.done` events of a choice, once per burst of new data. */
export function closeChoice(s: AccumulatorState, choice: ChoiceState): void {
  const emit = s.emit
  if (choice.closed) return
  if (s.strict) {
    // A finished call without a name is one no strict client can dispatch (test: "strict: a tool call
    // that never got a name is an invalid_chunk error").
    const calls = sortedCalls(choice)
    const k = calls.findIndex((call) => call.name === '')
    if (k !== -1) {
      const path = `$.choices[${choice.index}].message.tool_calls[${k}].${calls[k]!.custom ? 'custom' : 'function'}.name`
      fail('invalid_chunk', `Tool call ${k} of choice ${choice.index} finished without a name (strict mode): at ${path}`, path)
    }
  }
  choice.closed = true
  if (!emit) return
  const index = choice.index
  for (const call of choice.toolCalls) if (!call.started) startCall(s, choice, call)
  if (choice.content !== null) {
    const event: CompletionEvent = { type: 'content.done', index, content: choice.content }
    if (s.parseArguments && choice.content !== '') {
      if (choice.contentParser) {
        try {
          event.parsed = choice.contentParser.end()
        } catch (error) {
          event.parseError = error as Error
        }
      } else event.parseError = choice.contentParseError as Error
    }
    emit(event)
  }
  if (choice.refusal !== null) emit({ type: 'refusal.done', index, refusal: choice.refusal })
  // One reasoning.done per message field (thinking parts are written as reasoning_content).
  if (choice.reasoningContent !== null)
    emit({ type: 'reasoning.done', index, reasoning: choice.reasoningContent, field: 'reasoning_content' })
  if (choice.reasoningText !== null) emit({ type: 'reasoning.done', index, reasoning: choice.reasoningText, field: 'reasoning' })
  for (const call of sortedCalls(choice)) {
    const event: CompletionEvent = {
      type: 'tool_call.done',
      index,
      toolCallIndex: call.index,
      id: call.id,
      name: call.name,
      arguments: call.args,
    }
    if (call.custom) event.toolType = 'custom'
    else if (s.parseArguments) {
      // A call with no arguments at all has "" arguments: it parses as {} so tools without parameters work.
      if (call.args === '') event.parsed = {}
      else if (call.parser) {
        try {
          event.parsed = call.parser.end()
        } catch (error) {
          event.parseError = error as Error
        }
      } else event.parseError = call.parseError as Error
    }
    emit(event)
  }
}

export function build(s: AccumulatorState): ChatCompletion {
  const out: Record<string, unknown> = {
    id: s.id ?? '',
    object: s.completions ? 'text_completion' : 'chat.completion',
    created: s.created ?? 0,
    model: s.model ?? '',
  }
  if (s.systemFingerprint !== undefined) out.system_fingerprint = s.systemFingerprint
  if (s.serviceTier !== undefined) out.service_tier = s.serviceTier
  out.choices = sortedChoices(s).map(s.completions ? buildTextChoice : buildChoice)
  const u = s.usage ?? s.groqUsage
  if (u !== undefined) out.usage = clone(u)
  // Provider extras after the known fields; KNOWN_TOP keeps them from overwriting any.
  if (s.topExtras !== undefined) for (const [key, value] of s.topExtras) out[key] = clone(value)
  return out as unknown as ChatCompletion
}

export function buildChoice(choice: ChoiceState): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: choice.role ?? 'assistant',
    content: choice.content,
    refusal: choice.refusal,
  }
  // Each reasoning field under its own name (Mistral's thinking parts are written as reasoning_content).
  if (choice.reasoningContent !== null) message.reasoning_content = choice.reasoningContent
  if (choice.reasoningText !== null) message.reasoning = choice.reasoningText
  if (choice.reasoningDetails) message.reasoning_details = [...choice.reasoningDetails.values()].map(clone)
  if (choice.toolCalls.length > 0) message.tool_calls = sortedCalls(choice).map(buildToolCall)
  if (choice.functionCall) {
    const fc: Record<string, unknown> = { name: choice.functionCall.name, arguments: choice.functionCall.arguments }
    if (choice.functionCall.extras) copyExtras(choice.functionCall.extras, fc, FUNCTION_FIELDS)
    message.function_call = fc
  }
  if (choice.audio) {
    const a = choice.audio
    const audio: Record<string, unknown> = { id: a.id ?? '', data: a.data, expires_at: a.expiresAt ?? 0, transcript: a.transcript }
    if (a.extras) copyExtras(a.extras, audio, AUDIO_FIELDS)
    message.audio = audio
  }
  if (choice.annotations) message.annotations = choice.annotations.map(clone)
  if (choice.contentParts) message.content_parts = clone(choice.contentParts)
  if (choice.deltaExtras) copyExtras(choice.deltaExtras, message, MESSAGE_FIELDS)
  let logprobs: Record<string, unknown> | null = null
  if (choice.logprobs) {
    const lp = choice.logprobs
    logprobs = { content: lp.content ? lp.content.map(clone) : null, refusal: lp.refusal ? lp.refusal.map(clone) : null }
    if (lp.extras) copyExtras(lp.extras, logprobs, LOGPROBS_FIELDS)
  }
  const out: Record<string, unknown> = { index: choice.index, message, finish_reason: choice.finishReason, logprobs }
  if (choice.choiceExtras) copyExtras(choice.choiceExtras, out, CHOICE_FIELDS)
  return out
}

/** A function call `{ id, type, function }`, or a custom call `{ id, type: 'custom', custom }` (never both members). */
export function buildToolCall(call: ToolCallState): Record<string, unknown> {
  const out: Record<string, unknown> = { id: call.id, type: call.type === '' ? 'function' : call.type }
  if (call.custom) {
    const custom: Record<string, unknown> = { name: call.name, input: call.args }
    if (call.functionExtras) copyExtras(call.functionExtras, custom, CUSTOM_FIELDS)
    out.custom = custom
  } else {
    const fn: Record<string, unknown> = { name: call.name, arguments: call.args }
    if (call.functionExtras) copyExtras(call.functionExtras, fn, FUNCTION_FIELDS)
    out.function = fn
  }
  if (call.extras) copyExtras(call.extras, out, TOOL_CALL_FIELDS)
  return out
}

/** A choice of a legacy `text_completion` (format 'completions'). */
export function buildTextChoice(choice: ChoiceState): Record<string, unknown> {
  let logprobs: Record<string, unknown> | null = null
  if (choice.textLogprobs) {
    const lp = choice.textLogprobs
    logprobs = {
      tokens: lp.tokens.map(clone),
      token_logprobs: lp.tokenLogprobs.map(clone),
      top_logprobs: lp.topLogprobs.map(clone),
      text_offset: lp.textOffset.map(clone),
    }
    if (lp.extras) copyExtras(lp.extras, logprobs, TEXT_LOGPROBS_FIELDS)
  }
  const out: Record<string, unknown> = { index: choice.index, text: choice.content ?? '', logprobs, finish_reason: choice.finishReason }
  if (choice.choiceExtras) copyExtras(choice.choiceExtras, out, TEXT_CHOICE_FIELDS)
  return out
}

export function takeSnapshot(s: AccumulatorState): ChatCompletion {
  if (s.finalCompletion) return clone(s.finalCompletion)
  return build(s)
}

export function finishChunks(s: AccumulatorState): ChatCompletion {
  const emit = s.emit
  if (s.finalCompletion) return s.finalCompletion
  if (s.failed) throw s.failure
  let completion: ChatCompletion
  try {
    if (s.requireChunk && s.chunkCount === 0) {
      throw new DeltafoldError(
        'empty_stream',
        'The stream ended with no chunk (not an event stream, or only comments or [DONE]); pass allowEmpty: true to accept it',
      )
    }
    const sorted = sortedChoices(s)
    if (s.strict) {
      const open = sorted.find((c) => c.finishReason === null)
      if (open) {
        throw new DeltafoldError('unexpected_eof', `The stream ended before choice ${open.index} sent a finish_reason (strict mode)`, {
          path: `$.choices[${open.index}].finish_reason`,
        })
      }
    }
    for (const choice of sorted) closeChoice(s, choice)
    completion = build(s)
    if (emit) emit({ type: 'done', completion })
  } catch (error) {
    stop(s, error)
  }
  s.finalCompletion = completion
  return completion
}
