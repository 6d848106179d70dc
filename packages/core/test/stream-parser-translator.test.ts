import { describe, expect, test } from 'vitest'
import {
  DeltafoldError,
  createChatCompletionStreamParser,
  type ChatCompletionChunk,
  type CompletionEvent,
  type ServerSentEvent,
} from '@deltafold/core'
import type { ChatChunkTranslator, TranslatorPosition } from '../src/chat/chat-chunk-translator.js'
import { createTranslatingStreamParser } from '../src/chat/chat-completion-stream-parser.js'

/** A toy format: `event: text` carries raw text, `event: stop` a finish reason; usage at the end. */
function toyTranslator(log: TranslatorPosition[]): ChatChunkTranslator {
  return {
    push(event: ServerSentEvent, position: TranslatorPosition) {
      log.push(position)
      if (event.type === 'text') return [{ choices: [{ index: 0, delta: { content: event.data } }] } as unknown as ChatCompletionChunk]
      if (event.type === 'stop')
        return [{ choices: [{ index: 0, delta: {}, finish_reason: event.data }] } as unknown as ChatCompletionChunk]
      if (event.type === 'bad') throw new DeltafoldError('unexpected_event', `Unexpected ${event.type}`)
      return []
    },
    end() {
      return [{ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } } as unknown as ChatCompletionChunk]
    },
  }
}

const TOY = 'event: text\ndata: Hel\n\nevent: ping\ndata: x\n\nevent: text\ndata: lo\n\nevent: stop\ndata: stop\n\n'

describe('the translator hook of the stream parser', () => {
  test('each event goes to the translator, its chunks are folded in order with the same events as the chat chunks', () => {
    const log: TranslatorPosition[] = []
    const events: CompletionEvent[] = []
    const parser = createTranslatingStreamParser({ onEvent: (e) => events.push(e) }, toyTranslator(log))
    for (const piece of [TOY.slice(0, 9), TOY.slice(9)]) parser.feed(piece)
    const completion = parser.end()
    expect(completion.choices[0]!.message.content).toBe('Hello')
    expect(completion.choices[0]!.finish_reason).toBe('stop')
    expect(completion.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    expect(log.map((p) => p.eventNumber)).toEqual([1, 2, 3, 4])
    const chat: CompletionEvent[] = []
    const reference = createChatCompletionStreamParser({ onEvent: (e) => chat.push(e) })
    reference.feed(
      'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"lo"}}]}\n\n' +
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n',
    )
    expect(reference.end()).toEqual(completion)
    expect(events).toEqual(chat)
  })

  test("a translator's error is located at its event, with the partial", () => {
    const parser = createTranslatingStreamParser({}, toyTranslator([]))
    const input = 'event: text\ndata: Hi\n\nevent: bad\ndata: 1\n\n'
    expect(() => parser.feed(input)).toThrow(DeltafoldError)
    const error = (() => {
      try {
        parser.end()
      } catch (e) {
        return e
      }
    })()
    expect(error).toMatchObject({
      code: 'unexpected_event',
      eventNumber: 2,
      byteOffset: input.length - 1,
      partial: { choices: [{ message: { content: 'Hi' } }] },
    })
  })
})
