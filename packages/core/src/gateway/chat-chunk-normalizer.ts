import {
  createChatCompletionAccumulator,
  type ChatCompletionAccumulator,
  type ChatCompletionAccumulatorOptions,
} from '../chat/chat-completion-accumulator.js'
import { DeltafoldError, ProviderError } from '../errors.js'
import type { ChatCompletion, ChatCompletionChunk } from '../chat/types.js'
import { plainCopy, isPlainObject, mergeInto, toolCallsFinish } from './internal/normalize-values.js'
import { normalizeDelta, type ChoiceOut } from './internal/normalize-delta.js'

/** Options of {@link createChatChunkNormalizer}. */
export interface ChatChunkNormalizerOptions {
  /**
   * The one field name reasoning text is written under, whichever the provider used (`reasoning_content`,
   * `reasoning`, Mistral's `thinking` content parts).
   * @defaultValue 'reasoning_content'
   */
  reasoningField?: 'reasoning_content' | 'reasoning'
  /** Limits of the accumulator that checks every input chunk; see `ChatCompletionLimits`. */
  limits?: ChatCompletionAccumulatorOptions['limits']
}

/** The OpenAI-shaped error event a normalized stream ends with when the provider (or the input) failed. */
export interface NormalizedErrorChunk {
  error: Record<string, unknown>
}

/** What a normalizer emits: canonical chunks, and at most one final error. */
export type NormalizedChunk = ChatCompletionChunk | NormalizedErrorChunk

/** The object returned by {@link createChatChunkNormalizer}. */
export interface ChatChunkNormalizer {
  /**
   * Takes the next parsed chunk (any OpenAI-compatible provider's shape) and returns the canonical
   * chunks it maps to, often one, sometimes none (a repeated header, a usage-only chunk, whose usage
   * comes at the end). A chunk carrying a provider `error` returns its data, then the
   * {@link NormalizedErrorChunk}, and the normalizer is over. Bad input (or a limit) throws a typed
   * `DeltafoldError` carrying `partial`, and the normalizer is over; {@link ChatChunkNormalizer.fail}
   * then gives the chunks to end the output with.
   */
  push(chunk: ChatCompletionChunk | object): NormalizedChunk[]
  /**
   * The input ended cleanly: returns the last chunks, a `finish_reason` for every choice that has
   * none (`tool_calls` when it has tool calls, else `stop`) and the merged usage in a usage-only chunk
   * (`choices: []`). Later calls return `[]`.
   */
  end(): NormalizedChunk[]
  /**
   * The input failed (a provider `event: error`, an unreadable stream, an error thrown by `push`):
   * returns what was still held (held chunks, the usage so far) and the OpenAI-shaped error chunk.
   * Later calls return `[]`.
   */
  fail(error: unknown): NormalizedChunk[]
  /** The completion the input folds to so far (core's accumulator). Never throws. */
  snapshot(): ChatCompletion
  /** `end()` or `fail()` ran, or a chunk carried an error: the output is complete. */
  readonly closed: boolean
  /** The error that ended the stream: a chunk's provider error, what `push` threw, or what `fail` got. */
  readonly failure: unknown
}

/**
 * Creates the chunk-level engine of the normalize stream: chunks of any OpenAI-compatible provider
 * in, canonical OpenAI `chat.completion.chunk` objects out, as they arrive.
 *
 * - every chunk has the stream's `id`, `object`, `created`, `model` (the first non-empty values; the
 *   chunks before the first one that has choices are held until those are known, as Azure's
 *   prompt-filter chunk with `id: ""`); `usage`, `error` and the padding fields (`obfuscation`, `p`)
 *   are taken off; other provider fields are kept;
 * - every choice has `index`, a `delta` (with `role` on the first one) and a `finish_reason`, sent once;
 * - every tool-call delta has a dense `index` (0, 1, … in order of appearance, whatever the provider
 *   numbered), and `id`, `type`, `function.name` only on its first delta (repeats dropped); argument
 *   fragments pass as they arrive, object arguments are stringified; custom calls pass through;
 * - reasoning under one field name (`reasoningField`), Mistral's content parts made text, `reasoning_details` kept;
 * - usage (or Groq's `x_groq.usage`) merged and sent last, in a usage-only chunk.
 *
 * Each input chunk is also folded by core's accumulator, which validates it (same errors, same
 * limits as the fold) and gives `snapshot()`. Normalizing a normalized stream returns it unchanged.
 *
 * @param options - `reasoningField`, `limits`
 * @example
 * ```ts
 * import { createChatChunkNormalizer } from '@deltafold/core'
 * const normalizer = createChatChunkNormalizer()
 * normalizer.push({ id: 'c1', model: 'm', choices: [{ delta: { reasoning: 'Hmm' } }] })
 * // [{ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Hmm' }, finish_reason: null }] }]
 * normalizer.end() // [{ …, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }]
 * ```
 */
export function createChatChunkNormalizer(options: ChatChunkNormalizerOptions = {}): ChatChunkNormalizer {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createChatChunkNormalizer() expects an options object or nothing')
  }
  const reasoningField = options.reasoningField ?? 'reasoning_content'
  if (reasoningField !== 'reasoning_content' && reasoningField !== 'reasoning') {
    throw new TypeError(`options.reasoningField must be 'reasoning_content' or 'reasoning', got ${JSON.stringify(reasoningField)}`)
  }
  const accumulatorOptions: ChatCompletionAccumulatorOptions = {}
  if (options.limits !== undefined) accumulatorOptions.limits = options.limits
  return new Normalizer(createChatCompletionAccumulator(accumulatorOptions), reasoningField)
}

/** Choice-less chunks held for the metadata at most (Azure sends one): past it they go out with what is known. */
const HELD_LIMIT = 8

/** Top-level fields the normalizer writes itself or takes off. */
const OWN_TOP = new Set(['id', 'object', 'created', 'model', 'choices', 'usage', 'error', 'obfuscation', 'p', '__proto__'])

class Normalizer implements ChatChunkNormalizer {
  readonly #acc: ChatCompletionAccumulator
  readonly #reasoningField: 'reasoning_content' | 'reasoning'
  // The stream's metadata: the first non-empty values seen ('' and 0 until then).
  #id = ''
  #model = ''
  #created = 0
  // A chunk with choices arrived: chunks go out as they come. Before, they wait in #held for the metadata.
  #locked = false
  readonly #held: Array<Record<string, unknown>> = []
  // system_fingerprint and service_tier went out once: chunks holding nothing else may be dropped.
  #fingerprintSent = false
  #tierSent = false
  readonly #choices = new Map<number, ChoiceOut>()
  // Merged usage (latest non-null per field) and Groq's x_groq.usage token counts, sent at the end.
  #usage: Record<string, unknown> | undefined = undefined
  #groqUsage: Record<string, unknown> | undefined = undefined
  // 'open' → 'threw' (push() threw: only fail() may still end the output) → 'over' (end() or fail() ran).
  #state: 'open' | 'threw' | 'over' = 'open'
  // What ended the stream, if an error did.
  #failure: unknown = undefined

  constructor(acc: ChatCompletionAccumulator, reasoningField: 'reasoning_content' | 'reasoning') {
    this.#acc = acc
    this.#reasoningField = reasoningField
  }

  get closed(): boolean {
    return this.#state !== 'open'
  }

  get failure(): unknown {
    return this.#failure
  }

  snapshot = (): ChatCompletion => this.#acc.snapshot()

  push = (chunk: ChatCompletionChunk | object): NormalizedChunk[] => {
    if (this.#state !== 'open') throw new TypeError('push() was called after the normalized stream ended: create a new normalizer')
    let providerError: ProviderError | undefined
    try {
      this.#acc.push(chunk)
    } catch (error) {
      // A chunk carrying `error` (OpenRouter): its data goes out first, then the error.
      const carried = (chunk as { error?: unknown }).error
      if (error instanceof ProviderError && carried !== undefined && carried !== null) providerError = error
      else {
        this.#state = 'threw'
        this.#failure = error
        throw error
      }
    }
    // The accumulator checked the chunk: the types below are the ones it accepts.
    const out: NormalizedChunk[] = []
    const body = this.#body(chunk as Record<string, unknown>)
    if (!this.#locked && this.#hasChoices(chunk as Record<string, unknown>)) this.#lock(out)
    if (body !== undefined) {
      if (this.#locked) out.push(this.#stamp(body))
      else this.#held.push(body)
      // A stream of choice-less chunks is not held forever: past HELD_LIMIT they go out as they are.
      if (this.#held.length >= HELD_LIMIT) this.#lock(out)
    }
    if (providerError !== undefined) out.push(...this.fail(providerError))
    return out
  }

  end = (): NormalizedChunk[] => {
    if (this.#state !== 'open') return []
    this.#state = 'over'
    const out: NormalizedChunk[] = []
    this.#lock(out)
    const finishes: Array<Record<string, unknown>> = []
    for (const index of [...this.#choices.keys()].sort((a, b) => a - b)) {
      const choice = this.#choices.get(index)!
      if (choice.finish !== null) continue
      const reason = toolCallsFinish(choice)
      choice.finish = reason
      finishes.push({ index, delta: {}, finish_reason: reason })
    }
    if (finishes.length > 0) out.push(this.#stamp({ choices: finishes }))
    this.#pushUsage(out)
    return out
  }

  fail = (error: unknown): NormalizedChunk[] => {
    if (this.#state === 'over') return []
    this.#state = 'over'
    this.#failure ??= error
    const out: NormalizedChunk[] = []
    this.#lock(out)
    this.#pushUsage(out)
    out.push({ error: errorObject(error) })
    return out
  }

  #hasChoices(chunk: Record<string, unknown>): boolean {
    return Array.isArray(chunk.choices) && chunk.choices.length > 0
  }

  /** Sends the held chunks with the metadata known now; from here on chunks go out as they come. */
  #lock(out: NormalizedChunk[]): void {
    if (this.#locked) return
    this.#locked = true
    for (const body of this.#held) out.push(this.#stamp(body))
    this.#held.length = 0
  }

  #pushUsage(out: NormalizedChunk[]): void {
    const usage = this.#usage ?? this.#groqUsage
    if (usage !== undefined) out.push(this.#stamp({ choices: [], usage }))
  }

  #stamp(body: Record<string, unknown>): ChatCompletionChunk {
    return { id: this.#id, object: 'chat.completion.chunk', created: this.#created, model: this.#model, ...body } as ChatCompletionChunk
  }

  /** The chunk without its metadata, normalized; undefined when nothing of it is left to send. */
  #body(c: Record<string, unknown>): Record<string, unknown> | undefined {
    if (this.#id === '' && typeof c.id === 'string') this.#id = c.id
    if (this.#model === '' && typeof c.model === 'string') this.#model = c.model
    if (this.#created === 0 && typeof c.created === 'number') this.#created = c.created
    const body: Record<string, unknown> = {}
    // Only fields that are new make a chunk worth sending when nothing else is left in it.
    let worth = false
    const fingerprint = c.system_fingerprint
    if (fingerprint !== undefined) {
      body.system_fingerprint = fingerprint
      if (!this.#fingerprintSent && typeof fingerprint === 'string' && fingerprint !== '') worth = this.#fingerprintSent = true
    }
    const tier = c.service_tier
    if (tier !== undefined) {
      body.service_tier = tier
      if (!this.#tierSent && typeof tier === 'string' && tier !== '') worth = this.#tierSent = true
    }
    const choicesIn = c.choices
    const choices: Array<Record<string, unknown>> = []
    if (Array.isArray(choicesIn)) {
      for (const raw of choicesIn) {
        const choice = this.#choice(raw as Record<string, unknown>)
        if (choice !== undefined) choices.push(choice)
      }
    }
    if (choices.length > 0) worth = true
    body.choices = choices
    for (const key of Object.keys(c)) {
      if (OWN_TOP.has(key) || key === 'system_fingerprint' || key === 'service_tier') continue
      body[key] = c[key]
      worth = true
      if (key === 'x_groq' && isPlainObject(c.x_groq) && isPlainObject(c.x_groq.usage)) {
        // Only the token counts make a usage (as in the fold); x_groq itself is kept as it came.
        const usage = c.x_groq.usage
        for (const k of Object.keys(usage)) {
          if (k.includes('tokens')) this.#groqUsage = mergeInto(this.#groqUsage, k, plainCopy(usage[k]))
        }
      }
    }
    const usage = c.usage
    if (isPlainObject(usage)) {
      for (const k of Object.keys(usage)) if (k !== '__proto__') this.#usage = mergeInto(this.#usage ?? {}, k, plainCopy(usage[k]))
      this.#usage ??= {}
    }
    // A chunk left with nothing new (OpenAI's usage chunk, a repeated header) is not sent.
    return worth ? body : undefined
  }

  #choice(raw: Record<string, unknown>): Record<string, unknown> | undefined {
    const index = typeof raw.index === 'number' ? raw.index : 0
    let state = this.#choices.get(index)
    const fresh = state === undefined
    if (state === undefined) {
      state = {
        roleSent: false,
        role: '',
        finish: null,
        hasCalls: false,
        hasFunctionCall: false,
        calls: [],
        byId: new Map(),
        byIndex: new Map(),
        last: undefined,
        nextIndex: 0,
      }
      this.#choices.set(index, state)
    }
    const delta = isPlainObject(raw.delta)
      ? normalizeDelta(state, raw.delta, this.#reasoningField)
      : normalizeDelta(state, {}, this.#reasoningField)
    const out: Record<string, unknown> = { index, delta }
    let worth = fresh || Object.keys(delta).length > 0
    if (Object.hasOwn(raw, 'logprobs')) {
      out.logprobs = raw.logprobs
      if (raw.logprobs !== null && raw.logprobs !== undefined) worth = true
    }
    let finish: string | null = null
    const reason = raw.finish_reason
    // A repeated finish_reason (OpenRouter's usage chunk, MiniMax) is sent once; "" is no reason.
    if (typeof reason === 'string' && reason !== '' && reason !== state.finish) {
      finish = reason
      state.finish = reason
      worth = true
    }
    out.finish_reason = finish
    for (const key of Object.keys(raw)) {
      if (key === 'index' || key === 'delta' || key === 'logprobs' || key === 'finish_reason' || key === '__proto__') continue
      out[key] = raw[key]
      worth = true
    }
    return worth ? out : undefined
  }
}

/** The OpenAI-shaped `error` object for an error that ends the normalized stream. */
function errorObject(error: unknown): Record<string, unknown> {
  if (error instanceof ProviderError) {
    const e = error.error
    if (isPlainObject(e)) return plainCopy(e) as Record<string, unknown>
    return { message: typeof e === 'string' && e !== '' ? e : error.message, type: 'upstream_error', param: null, code: null }
  }
  if (error instanceof DeltafoldError) {
    return { message: error.message, type: error.code === 'aborted' ? 'aborted' : 'invalid_stream', param: null, code: error.code }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { message, type: 'stream_failed', param: null, code: 'stream_failed' }
}
