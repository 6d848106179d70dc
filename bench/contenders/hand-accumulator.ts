/**
 * "A straightforward accumulation": what a user writes by hand around an SSE parser. Content and
 * arguments concatenated, tool calls by index, role and finish reason set, usage kept, first
 * id/model/created. No validation, no provider quirks: the cheapest correct fold for these workloads.
 */

interface HandToolCall {
  id: string
  type: string
  function: { name: string; arguments: string }
}

interface HandChoice {
  index: number
  message: { role: string; content: string | null; tool_calls?: HandToolCall[] }
  finish_reason: string | null
}

/** A completion built by {@link createHandAccumulator}. */
export interface HandCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: HandChoice[]
  usage: unknown
}

/** The chunk fields a hand accumulation reads. */
export interface LooseChunk {
  id?: string
  created?: number
  model?: string
  usage?: unknown
  choices?: {
    index: number
    finish_reason?: string | null
    delta?: {
      role?: string
      content?: string | null
      tool_calls?: { index: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }[]
    }
  }[]
}

/** Creates a hand accumulator: `push(chunk)` for each parsed chunk, `result()` at the end. */
export function createHandAccumulator(): { push(chunk: LooseChunk): void; result(): HandCompletion } {
  const completion: HandCompletion = { id: '', object: 'chat.completion', created: 0, model: '', choices: [], usage: null }
  return {
    push(chunk) {
      if (completion.id === '' && chunk.id) {
        completion.id = chunk.id
        completion.model = chunk.model ?? ''
        completion.created = chunk.created ?? 0
      }
      if (chunk.usage) completion.usage = chunk.usage
      const choices = chunk.choices
      if (!choices) return
      for (const c of choices) {
        const choice = (completion.choices[c.index] ??= {
          index: c.index,
          message: { role: 'assistant', content: null },
          finish_reason: null,
        })
        const delta = c.delta
        if (delta) {
          if (delta.role) choice.message.role = delta.role
          if (delta.content) choice.message.content = (choice.message.content ?? '') + delta.content
          if (delta.tool_calls) {
            const calls = (choice.message.tool_calls ??= [])
            for (const t of delta.tool_calls) {
              const call = (calls[t.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } })
              if (t.id) call.id = t.id
              if (t.function) {
                if (t.function.name) call.function.name = t.function.name
                if (t.function.arguments) call.function.arguments += t.function.arguments
              }
            }
          }
        }
        if (c.finish_reason) choice.finish_reason = c.finish_reason
      }
    },
    result: () => completion,
  }
}
