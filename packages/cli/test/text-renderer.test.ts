import { describe, expect, test } from 'vitest'
import type { CompletionEvent } from '@deltafold/core'
import { createColors } from '../src/internal/color.js'
import type { Output } from '../src/internal/output.js'
import { createTextRenderer } from '../src/internal/text-renderer.js'

/** Renders hand-made events without colours and returns the text. */
function render(events: readonly unknown[]): string {
  let text = ''
  const out = { push: (chunk: string) => (text += chunk), flush() {} } as unknown as Output
  const renderer = createTextRenderer(out, createColors(false))
  for (const event of events) renderer.event(event as CompletionEvent)
  renderer.end()
  return text
}

const start = (toolCallIndex: number, id: string, name: string, extra: object = {}) => ({
  type: 'tool_call.start',
  index: 0,
  toolCallIndex,
  id,
  name,
  ...extra,
})
const delta = (toolCallIndex: number, id: string, text: string) => ({
  type: 'tool_call.arguments.delta',
  index: 0,
  toolCallIndex,
  id,
  delta: text,
})
const done = (toolCallIndex: number, id: string, name: string, args: string, extra: object = {}) => ({
  type: 'tool_call.done',
  index: 0,
  toolCallIndex,
  id,
  name,
  arguments: args,
  ...extra,
})

describe('--text tool calls', () => {
  test('prints a header once per switch between interleaved parallel calls, never for a call with nothing to show yet', () => {
    const text = render([
      start(0, 'call_a', 'f'),
      start(1, 'call_b', 'g'),
      delta(0, 'call_a', '{"x"'),
      delta(0, 'call_a', ':1'),
      delta(1, 'call_b', '{"y"'),
      delta(0, 'call_a', '}'),
      delta(1, 'call_b', ':2}'),
      done(0, 'call_a', 'f', '{"x":1}'),
      done(1, 'call_b', 'g', '{"y":2}'),
    ])
    expect(text).toBe('→ f call_a {"x":1\n→ g call_b {"y"\n→ f call_a }\n→ g call_b :2}\n')
  })

  test('a call without arguments still shows its header once', () => {
    expect(render([start(0, 'call_a', 'ping'), done(0, 'call_a', 'ping', '')])).toBe('→ ping call_a \n')
  })

  test('renders a custom tool call: its name marked custom, then its free-form input as it streams', () => {
    const text = render([
      start(0, 'call_1', 'code_exec', { toolType: 'custom' }),
      delta(0, 'call_1', 'print("hel'),
      delta(0, 'call_1', 'lo")'),
      done(0, 'call_1', 'code_exec', 'print("hello")', { toolType: 'custom' }),
      { type: 'finish', index: 0, finishReason: 'tool_calls' },
    ])
    expect(text).toBe('→ code_exec (custom) call_1 print("hello")\n[finish_reason: tool_calls]\n')
  })

  test('parallel custom and function calls each get their own header', () => {
    const text = render([
      start(0, 'call_1', 'code_exec', { toolType: 'custom' }),
      start(1, 'call_2', 'get_weather'),
      delta(0, 'call_1', 'x = 1'),
      delta(1, 'call_2', '{"city":"Paris"}'),
    ])
    expect(text).toBe('→ code_exec (custom) call_1 x = 1\n→ get_weather call_2 {"city":"Paris"}\n')
  })
})
