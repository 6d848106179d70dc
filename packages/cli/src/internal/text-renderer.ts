import type { CompletionEvent, CompletionUsage } from '@deltafold/core'
import type { Colors, Style } from './color.js'
import type { Output } from './output.js'

/** Renders {@link CompletionEvent}s as text for a human, as they arrive. */
export interface TextRenderer {
  event(event: CompletionEvent): void
  /** Ends the last line and prints the finish reasons and the token usage dimmed, then `failure` in red. */
  end(failure?: string): void
}

/**
 * Creates the `--text` renderer: content as it is, reasoning dimmed, refusals in red, each tool call
 * as `→ name id` followed by its arguments as they stream (a custom tool call as `→ name (custom) id`
 * followed by its free-form input), then the finish reason and the final
 * token usage dimmed. A new section (another choice, reasoning → content, another tool call) starts
 * on a new line; with several choices each section is labelled `[choice N]`.
 */
export function createTextRenderer(out: Output, colors: Colors): TextRenderer {
  const plain: Style = { open: '', close: '' }
  // Key of the section being written (`0:content`, `0:tool:1`…); a different key starts a new line.
  let section = ''
  // The last character written was a newline (or nothing was written yet).
  let atLineStart = true
  // The style switched on in the terminal. Styles are switched only when they change, not around
  // every delta (9 bytes of escapes around a ~4-character token would triple the output), and off
  // before every line end, so a pager, `less -R` or a Ctrl-C never leaves a coloured line behind.
  let active: Style = plain
  // A choice other than 0 was seen: sections are labelled with their choice.
  let manyChoices = false
  let usage: CompletionUsage | undefined
  const finishes: string[] = []
  const toolNames = new Map<string, string>()
  // Sections whose header was printed at least once.
  const shown = new Set<string>()

  function write(text: string, style: Style): void {
    if (text.length === 0) return
    let start = 0
    for (;;) {
      const newline = text.indexOf('\n', start)
      const end = newline === -1 ? text.length : newline
      if (end > start) {
        if (active !== style) {
          out.push(active.close + style.open)
          active = style
        }
        out.push(start === 0 && end === text.length ? text : text.slice(start, end))
      }
      if (newline === -1) break
      if (active !== plain) {
        out.push(active.close)
        active = plain
      }
      out.push('\n')
      start = newline + 1
    }
    atLineStart = text.charCodeAt(text.length - 1) === 10
  }

  function newLine(): void {
    if (!atLineStart) write('\n', plain)
  }

  function enter(key: string, index: number, label: string): void {
    if (key === section) return
    shown.add(key)
    // Reasoning then its answer: a blank line between them.
    const afterReasoning = section.endsWith(':reasoning') && key === `${index}:content`
    section = key
    newLine()
    if (afterReasoning) write('\n', plain)
    if (manyChoices) write(colors.paint(colors.dim, `[choice ${index}] `), plain)
    if (label) write(label, plain)
  }

  return {
    event(event) {
      switch (event.type) {
        case 'chunk':
          // The chunk comes before the events made from it: a second choice is known before its
          // first delta, so choice 0's text is labelled from its start too.
          if (!manyChoices && Array.isArray(event.chunk.choices)) {
            manyChoices = event.chunk.choices.some((choice) => typeof choice === 'object' && choice !== null && choice.index !== 0)
          }
          return
        case 'content.delta':
          enter(`${event.index}:content`, event.index, '')
          write(sanitize(event.delta), plain)
          return
        case 'reasoning.delta':
          enter(`${event.index}:reasoning`, event.index, '')
          write(sanitize(event.delta), colors.dim)
          return
        case 'refusal.delta':
          enter(`${event.index}:refusal`, event.index, colors.paint(colors.red, 'refusal: '))
          write(sanitize(event.delta), colors.red)
          return
        case 'tool_call.start': {
          const key = `${event.index}:tool:${event.toolCallIndex}`
          // A custom tool call (`toolType: 'custom'`) streams free-form input, not JSON arguments.
          const custom = (event as { toolType?: unknown }).toolType === 'custom'
          toolNames.set(key, custom ? `${event.name} (custom)` : event.name)
          // The header waits for the call's first fragment (or its end): parallel calls that all
          // start in one chunk would otherwise each print a header with nothing after it.
          return
        }
        case 'tool_call.done': {
          const key = `${event.index}:tool:${event.toolCallIndex}`
          // A call with no fragments at all still shows its header once.
          if (!shown.has(key)) enter(key, event.index, toolLabel(colors, toolNames.get(key) ?? event.name, event.id))
          return
        }
        case 'tool_call.arguments.delta': {
          const key = `${event.index}:tool:${event.toolCallIndex}`
          // Parallel calls can interleave: the header is printed once per switch to another call
          // (resuming an earlier call repeats it, so each line names its call), never per fragment.
          enter(key, event.index, toolLabel(colors, toolNames.get(key) ?? '', event.id))
          write(sanitize(event.delta), colors.yellow)
          return
        }
        case 'finish':
          finishes.push(manyChoices ? `choice ${event.index}: ${event.finishReason}` : event.finishReason)
          return
        case 'usage':
          // Some providers repeat a growing usage on every chunk: only the last one is shown.
          usage = event.usage
          return
        default:
          return
      }
    },
    end(failure) {
      newLine()
      const parts: string[] = []
      if (finishes.length > 0) parts.push(`finish_reason: ${finishes.join(', ')}`)
      if (usage) parts.push(formatUsage(usage))
      if (parts.length > 0) write(`[${parts.join(' · ')}]\n`, colors.dim)
      if (failure) write(`[${failure}]\n`, colors.red)
      if (active !== plain) {
        out.push(active.close)
        active = plain
      }
      out.flush()
    },
  }
}

function toolLabel(colors: Colors, name: string, id: string): string {
  const label = colors.paint(colors.cyan, colors.paint(colors.bold, `→ ${sanitize(name) || '(unnamed tool)'}`))
  return label + (id ? colors.paint(colors.dim, ` ${sanitize(id)}`) : '') + ' '
}

function formatUsage(usage: CompletionUsage): string {
  const u = usage as unknown as Record<string, unknown>
  const n = (key: string) => (typeof u[key] === 'number' ? (u[key] as number) : undefined)
  const prompt = n('prompt_tokens')
  const completion = n('completion_tokens')
  const total = n('total_tokens')
  const parts: string[] = []
  if (prompt !== undefined) parts.push(`${prompt} prompt`)
  if (completion !== undefined) parts.push(`${completion} completion`)
  const sum = parts.join(' + ')
  if (total !== undefined) return `tokens: ${sum ? `${sum} = ` : ''}${total}`
  return `tokens: ${sum || 'unknown'}`
}

// C0 and C1 control characters other than TAB and LF, including ESC: a model's output must not be
// able to move the cursor, retitle the window or rewrite the screen.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g

/**
 * Makes provider text safe for a terminal: CR is dropped (so a CRLF split across two deltas still
 * makes one line break), other controls become `\uXXXX`.
 */
function sanitize(text: string): string {
  return text.replace(/\r/g, '').replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
