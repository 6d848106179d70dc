import { isPlainObject, plainCopy } from './normalize-values.js'

/** One tool call of a choice as the normalizer numbers it. */
export interface CallOut {
  /** Dense output index: 0, 1, … in order of appearance. */
  out: number
  /** The wire index (or the one inferred, as the fold infers it). */
  wire: number
  id: string
  idSent: boolean
  typeSent: boolean
  name: string
}

/** What the normalizer remembers of one choice. */
export interface ChoiceOut {
  // `role` went out (the first delta of the choice always carries one).
  roleSent: boolean
  role: string
  // The last finish_reason sent, null until one was.
  finish: string | null
  hasCalls: boolean
  hasFunctionCall: boolean
  calls: CallOut[]
  // The fold's matching (a known id, then the wire index, then the most recent call), mirrored so
  // that every fragment lands on the call the fold puts it on.
  byId: Map<string, CallOut>
  byIndex: Map<number, CallOut>
  last: CallOut | undefined
  nextIndex: number
}

/**
 * The canonical delta of one choice: `role` first on the choice's first delta and never repeated,
 * reasoning under `field`, Mistral's text/thinking content parts as text, tool calls renumbered with
 * their header once; `null` known fields dropped; everything else kept in the provider's order.
 * The input was checked by the accumulator: known fields have the types it accepts.
 */
export function normalizeDelta(
  choice: ChoiceOut,
  delta: Record<string, unknown>,
  field: 'reasoning_content' | 'reasoning',
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (!choice.roleSent) {
    const role = typeof delta.role === 'string' && delta.role !== '' ? delta.role : 'assistant'
    out.role = role
    choice.role = role
    choice.roleSent = true
  }
  // Reasoning goes where its first field was, as one text: parts' thinking, then reasoning_content,
  // then reasoning (unless it repeats reasoning_content), the order the fold appends them in.
  let reasoning: string | undefined
  let reasoningAt = -1
  let parts: { text: string | undefined; thinking: string | undefined } | undefined
  const keys = Object.keys(delta)
  const content = delta.content
  if (Array.isArray(content)) parts = splitParts(content)
  if (parts?.thinking !== undefined) reasoning = parts.thinking
  const rc = delta.reasoning_content
  const r = delta.reasoning
  if (typeof rc === 'string') reasoning = (reasoning ?? '') + rc
  if (typeof r === 'string' && r !== rc) reasoning = (reasoning ?? '') + r
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const value = delta[key]
    switch (key) {
      case '__proto__':
        break
      case 'role':
        if (typeof value === 'string' && value !== '' && value !== choice.role) {
          out.role = value
          choice.role = value
        }
        break
      case 'content':
        if (typeof value === 'string') out.content = value
        else if (Array.isArray(value)) {
          if (parts === undefined) out.content = value
          else {
            if (parts.text !== undefined) out.content = parts.text
            if (parts.thinking !== undefined && reasoningAt === -1) {
              reasoningAt = i
              out[field] = reasoning
            }
          }
        }
        break
      case 'reasoning_content':
      case 'reasoning':
        if (reasoningAt === -1 && reasoning !== undefined) {
          reasoningAt = i
          out[field] = reasoning
        }
        break
      case 'refusal':
        if (typeof value === 'string') out.refusal = value
        break
      case 'tool_calls':
        if (Array.isArray(value)) {
          const calls: Array<Record<string, unknown>> = []
          for (const call of value) {
            const normalized = normalizeToolCall(choice, call as Record<string, unknown>)
            if (normalized !== undefined) calls.push(normalized)
          }
          if (calls.length > 0) out.tool_calls = calls
        }
        break
      case 'function_call':
        if (value !== null && value !== undefined) {
          choice.hasFunctionCall = true
          out.function_call = value
        }
        break
      default:
        out[key] = value
    }
  }
  return out
}

/**
 * Mistral's content parts: text parts (and strings) as text, thinking parts as reasoning; undefined
 * when a part of another kind is there (the array then passes as it came: the fold keeps such parts).
 */
function splitParts(parts: unknown[]): { text: string | undefined; thinking: string | undefined } | undefined {
  let text: string | undefined
  let thinking: string | undefined
  for (const part of parts) {
    if (typeof part === 'string') text = (text ?? '') + part
    else if (isPlainObject(part) && part.type === 'text' && typeof part.text === 'string') text = (text ?? '') + part.text
    else if (isPlainObject(part) && part.type === 'thinking') {
      const t = part.thinking
      if (typeof t === 'string') thinking = (thinking ?? '') + t
      else if (Array.isArray(t)) {
        for (const piece of t) if (isPlainObject(piece) && typeof piece.text === 'string') thinking = (thinking ?? '') + piece.text
      }
    } else if (part !== null && part !== undefined) return undefined
  }
  return { text, thinking }
}

/** One canonical tool-call delta, or undefined when it brings nothing new (a repeated header). */
function normalizeToolCall(choice: ChoiceOut, raw: Record<string, unknown>): Record<string, unknown> | undefined {
  const { index: rawIndex, id: rawId, type, function: fn, ...rest } = raw
  const index = typeof rawIndex === 'number' ? rawIndex : undefined
  let callId: string | undefined
  if (typeof rawId === 'string' && rawId !== '') callId = rawId
  else if (typeof rawId === 'number') callId = String(rawId)
  // The fold's target: a known id, then the index (a new id at a taken index starts a new call:
  // Gemini shares index 0), then (no index) a new id starts a new call, else the most recent continues.
  let call = callId === undefined ? undefined : choice.byId.get(callId)
  if (call === undefined && index !== undefined) {
    const atIndex = choice.byIndex.get(index)
    if (!(atIndex !== undefined && callId !== undefined && atIndex.id !== '' && atIndex.id !== callId)) call = atIndex
  }
  if (call === undefined && index === undefined && callId === undefined) call = choice.last
  const first = call === undefined
  if (call === undefined) {
    call = { out: choice.calls.length, wire: index ?? choice.nextIndex, id: '', idSent: false, typeSent: false, name: '' }
    choice.calls.push(call)
    choice.hasCalls = true
  }
  choice.last = call
  if (index !== undefined) choice.byIndex.set(index, call)
  else if (!choice.byIndex.has(call.wire)) choice.byIndex.set(call.wire, call)
  if (call.wire >= choice.nextIndex) choice.nextIndex = call.wire + 1
  if (callId !== undefined) {
    choice.byId.set(callId, call)
    if (call.id === '') call.id = callId
  }
  const out: Record<string, unknown> = { index: call.out }
  let worth = first
  if (!call.idSent && call.id !== '') {
    out.id = call.id
    call.idSent = true
    worth = true
  }
  const custom = isPlainObject(rest.custom)
  if (!call.typeSent) {
    out.type = typeof type === 'string' && type !== '' ? type : custom ? 'custom' : 'function'
    call.typeSent = true
  }
  if (isPlainObject(fn) || (first && !custom)) {
    const { name, arguments: args, ...fnRest } = isPlainObject(fn) ? fn : {}
    const f: Record<string, unknown> = {}
    // The name is set when empty, skipped when repeated (Kimi, MiniMax), a fragment when new: as the fold.
    if (typeof name === 'string' && name !== '' && name !== call.name) {
      f.name = name
      call.name = call.name === '' ? name : call.name + name
    } else if (first) f.name = ''
    if (typeof args === 'string') {
      if (args !== '' || first) f.arguments = args
    } else if (isPlainObject(args) || Array.isArray(args)) {
      // llama.cpp and TGI send whole objects: stringified once, as the fold does.
      f.arguments = JSON.stringify(plainCopy(args))
    } else if (first) f.arguments = ''
    for (const key of Object.keys(fnRest)) if (key !== '__proto__') f[key] = fnRest[key]
    if (Object.keys(f).length > 0) {
      out.function = f
      if (!first && (f.name !== undefined || f.arguments !== undefined || Object.keys(fnRest).length > 0)) worth = true
    }
  }
  for (const key of Object.keys(rest)) {
    if (key === '__proto__') continue
    out[key] = rest[key]
    worth = true
  }
  return worth ? out : undefined
}
