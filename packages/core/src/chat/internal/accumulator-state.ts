/** The accumulator's state: one object per stream, one per choice, one per tool call. */
import type { CompletionEvent } from '../completion-event.js'
import type { ChatCompletionLimits } from '../chat-completion-accumulator.js'
import type { ChatCompletion, ChatCompletionTokenLogprob } from '../types.js'
import type { PartialJSONParser } from '../../json/types.js'
import { describe, fail } from './values.js'

export interface ToolCallState {
  /** Appends since the last flatten of the arguments (see `grown`). */
  argPieces: number
  /** The wire index, or the one inferred for a call sent without one. */
  index: number
  /** Creation order: breaks ties between calls sharing a wire index (Gemini). */
  seq: number
  id: string
  type: string
  /** A custom (free-form input) call: `custom.name`/`custom.input` arrived or `type` is "custom". */
  custom: boolean
  name: string
  /** `function.arguments`, or `custom.input` for a custom call. */
  args: string
  /** `tool_call.start` was emitted. */
  started: boolean
  extras: Record<string, unknown> | undefined
  /** Provider fields of `function` (or of `custom` for a custom call). */
  functionExtras: Record<string, unknown> | undefined
  /** Incremental parser of `args` (with `parseArguments`); dropped when the arguments stop being JSON. */
  parser: PartialJSONParser | undefined
  /** Why `args` is not JSON, once the parser rejected it. */
  parseError: unknown
}

export interface AudioState {
  id: string | undefined
  data: string
  transcript: string
  expiresAt: number | undefined
  extras: Record<string, unknown> | undefined
}

export interface TextLogprobsState {
  tokens: unknown[]
  tokenLogprobs: unknown[]
  topLogprobs: unknown[]
  textOffset: unknown[]
  extras: Record<string, unknown> | undefined
}

export interface ChoiceState {
  index: number
  // Appends since the last flatten of content, refusal and reasoning (see `grown`): numbers on the
  // choice, as a [0, 0, 0] array took 72 bytes more per choice (many-streams bench, node 20).
  contentPieces: number
  refusalPieces: number
  reasoningPieces: number
  reasoningTextPieces: number
  role: string | undefined
  content: string | null
  refusal: string | null
  // Each reasoning field from its own fragments (see appendReasoning): `reasoning_content` (with
  // Mistral's thinking parts, which have no name of their own) and `reasoning`; null until used.
  reasoningContent: string | null
  reasoningText: string | null
  // OpenAI audio output: transcript and data appended, id and expires_at set (see applyAudio).
  audio: AudioState | undefined
  // OpenAI url_citation annotations, appended in order.
  annotations: unknown[] | undefined
  reasoningDetails: Map<string, Record<string, unknown>> | undefined
  // NO_CALLS (shared, never written) until the first call: an empty array per choice is 32 bytes.
  toolCalls: ToolCallState[]
  // Calls by id and by wire index: created with the first tool call (two empty Maps hold ~430 bytes).
  toolById: Map<string, ToolCallState> | undefined
  toolByIndex: Map<number, ToolCallState> | undefined
  // Next index for a call that arrives without one: above every index seen.
  nextToolIndex: number
  // The call touched last: an index-less, id-less tool-call delta continues it.
  lastCall: ToolCallState | undefined
  functionCall: { name: string; arguments: string; extras: Record<string, unknown> | undefined } | undefined
  logprobs:
    | {
        content: ChatCompletionTokenLogprob[] | null
        refusal: ChatCompletionTokenLogprob[] | null
        extras: Record<string, unknown> | undefined
      }
    | undefined
  // format 'completions': the legacy logprobs lists, appended.
  textLogprobs: TextLogprobsState | undefined
  finishReason: string | null
  // `.done` events were emitted and no text, call or argument arrived since: they are not repeated.
  closed: boolean
  choiceExtras: Record<string, unknown> | undefined
  deltaExtras: Record<string, unknown> | undefined
  contentParts: unknown[] | undefined
  contentParser: PartialJSONParser | undefined
  contentParseError: unknown
}

/**
 * One accumulator's state. The steps below are module-level functions taking it first, so an
 * accumulator costs this object and its public wrapper, not a closure per step (57 closures of ~64
 * bytes each made an idle stream parser hold ~6.7 KB, many-streams bench, node 20). Every field is
 * set in the constructor: all states share one shape, which keeps the steps' property reads monomorphic.
 */
export class AccumulatorState {
  readonly emit: ((event: CompletionEvent) => void) | undefined
  readonly strict: boolean
  readonly parseArguments: boolean
  readonly chunkEvents: boolean
  // format 'completions': legacy text_completion chunks.
  readonly completions: boolean
  // allowEmpty: false: finish() without a single chunk is empty_stream.
  readonly requireChunk: boolean
  readonly maxChoices: number
  readonly maxToolCalls: number
  readonly maxDepth: number
  readonly maxBytes: number
  id: string | undefined = undefined
  model: string | undefined = undefined
  created: number | undefined = undefined
  systemFingerprint: string | undefined = undefined
  serviceTier: string | undefined = undefined
  usage: Record<string, unknown> | undefined = undefined
  groqUsage: Record<string, unknown> | undefined = undefined
  // Created with the first provider extra (an empty Map holds ~200 bytes).
  topExtras: Map<string, unknown> | undefined = undefined
  // The first choice; most streams have only this one.
  choice0: ChoiceState | undefined = undefined
  // Every choice by index, choice0 included: created with the second choice.
  choices: Map<number, ChoiceState> | undefined = undefined
  // Everything counted against maxBytes so far.
  bytes = 0
  chunkCount = 0
  // The first error stopped the accumulator: push() and finish() rethrow it, snapshot() still works.
  failure: unknown = undefined
  failed = false
  // finish() ran: push() is misuse, finish() returns the same completion.
  finalCompletion: ChatCompletion | undefined = undefined
  // Position of the choice being applied in its chunk's array, for error paths.
  chunkPos = 0

  constructor(
    emit: ((event: CompletionEvent) => void) | undefined,
    strict: boolean,
    parseArguments: boolean,
    chunkEvents: boolean,
    limits: ChatCompletionLimits,
    completions: boolean,
    requireChunk: boolean,
  ) {
    this.emit = emit
    this.strict = strict
    this.parseArguments = parseArguments
    this.chunkEvents = chunkEvents
    this.completions = completions
    this.requireChunk = requireChunk
    this.maxChoices = limitOption(limits.maxChoices, 128, 'maxChoices')
    this.maxToolCalls = limitOption(limits.maxToolCalls, 128, 'maxToolCalls')
    this.maxDepth = limitOption(limits.maxDepth, 64, 'maxDepth')
    this.maxBytes = limitOption(limits.maxBytes, 64 * 1024 * 1024, 'maxBytes')
  }
}

export function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`limits.${name} must be a positive number, got ${describe(value)}: leave it out for the default of ${fallback}`)
  }
  return value
}

/** The tool calls of a choice that has none: shared, so it is never pushed to (see `applyToolCall`). */
export const NO_CALLS: ToolCallState[] = []

/** The choice with this index, if it exists. */
export function findChoice(s: AccumulatorState, index: number): ChoiceState | undefined {
  const first = s.choice0
  if (first !== undefined && first.index === index) return first
  return s.choices === undefined ? undefined : s.choices.get(index)
}

/** Every choice, in index order. */
export function sortedChoices(s: AccumulatorState): ChoiceState[] {
  if (s.choices !== undefined) return [...s.choices.values()].sort((a, b) => a.index - b.index)
  return s.choice0 === undefined ? [] : [s.choice0]
}

export function getChoice(s: AccumulatorState, index: number): ChoiceState {
  let choice = findChoice(s, index)
  if (choice) return choice
  const size = s.choices !== undefined ? s.choices.size : s.choice0 !== undefined ? 1 : 0
  if (size >= s.maxChoices) {
    fail('limit_exceeded', `Too many choices: more than maxChoices (${s.maxChoices})`, `$.choices[${s.chunkPos}]`)
  }
  choice = {
    index,
    role: undefined,
    content: null,
    refusal: null,
    reasoningContent: null,
    reasoningText: null,
    audio: undefined,
    annotations: undefined,
    contentPieces: 0,
    refusalPieces: 0,
    reasoningPieces: 0,
    reasoningTextPieces: 0,
    reasoningDetails: undefined,
    toolCalls: NO_CALLS,
    toolById: undefined,
    toolByIndex: undefined,
    nextToolIndex: 0,
    lastCall: undefined,
    functionCall: undefined,
    logprobs: undefined,
    textLogprobs: undefined,
    finishReason: null,
    closed: false,
    choiceExtras: undefined,
    deltaExtras: undefined,
    contentParts: undefined,
    contentParser: undefined,
    contentParseError: undefined,
  }
  if (s.choice0 === undefined) s.choice0 = choice
  else {
    // A second choice: from now on every choice is in the Map, in creation order.
    if (s.choices === undefined) s.choices = new Map([[s.choice0.index, s.choice0]])
    s.choices.set(index, choice)
  }
  return choice
}

/** Tool calls dense and in index order; calls sharing an index (Gemini) in arrival order. */
export function sortedCalls(choice: ChoiceState): ToolCallState[] {
  return [...choice.toolCalls].sort((a, b) => a.index - b.index || a.seq - b.seq)
}
