import { describe, expect, test } from 'vitest'
import { generateChatText } from '../generators/chat-text.js'
import { fragments, splitFixed, splitRandom, utf8Length } from '../generators/common.js'
import { generateLongEvent } from '../generators/long-event.js'
import { eventsOf, generateStreamPrefixes } from '../generators/many-streams.js'
import { generateParallelTools } from '../generators/parallel-tools.js'
import { generateToolArgs } from '../generators/tool-args.js'
import { generateResponsesStream } from '../generators/responses.js'
import { compare, summarize } from '../lib/ground-truth.js'
import { createRandom } from '../lib/random.js'
import { chunksOf, concat, payloads } from './helpers.js'

describe('createRandom', () => {
  test('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(42)
    const b = createRandom(42)
    const c = createRandom(43)
    const seqA = Array.from({ length: 20 }, () => a.next())
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA)
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA)
  })

  test('int covers both bounds and nothing outside them', () => {
    const random = createRandom(1)
    const seen = new Set<number>()
    for (let i = 0; i < 2000; i++) seen.add(random.int(1, 6))
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6])
  })
})

describe('generateChatText', () => {
  const generated = generateChatText({ seed: 1, targetBytes: 60_000 })

  test('is deterministic for a seed', () => {
    expect(generateChatText({ seed: 1, targetBytes: 60_000 }).bytes).toEqual(generated.bytes)
    expect(generateChatText({ seed: 2, targetBytes: 60_000 }).bytes).not.toEqual(generated.bytes)
  })

  test('reaches the target size and stops soon after it', () => {
    expect(generated.bytes.length).toBeGreaterThanOrEqual(60_000)
    expect(generated.bytes.length).toBeLessThan(61_500)
  })

  test('sends a role chunk, content chunks of 1–6 words, a finish chunk, a usage chunk and [DONE]', () => {
    const all = payloads(generated.bytes)
    expect(all.at(-1)).toBe('[DONE]')
    expect(all.length).toBe(generated.eventCount)
    expect(all.reduce((n, p) => n + p.length, 0)).toBe(generated.dataLength)
    const chunks = chunksOf(generated.bytes)
    expect(chunks[0]!.choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null })
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' })
    expect(chunks.at(-1)!.choices).toEqual([])
    expect(chunks.at(-1)!.usage.total_tokens).toBe(1163)
    const contents = chunks.slice(1, -2).map((c) => c.choices[0].delta.content as string)
    expect(contents.length).toBe(generated.contentDeltas)
    for (const content of contents) {
      const words = content
        .replace(/[.,!?:;\n\t]|"quoted"|C:\\path|\(aside\)/g, '')
        .trim()
        .split(/\s+/)
      expect(words.length).toBeGreaterThanOrEqual(1)
      expect(words.length).toBeLessThanOrEqual(6)
    }
  })

  test('its ground truth is the concatenated content, with multi-byte UTF-8 and JSON escapes in it', () => {
    const chunks = chunksOf(generated.bytes)
    const content = chunks.map((c) => (c.choices[0]?.delta.content as string | undefined) ?? '').join('')
    expect(generated.expected.choices[0]!.content).toBe(content)
    expect(content).toMatch(/[\u0080-\uffff]/)
    expect(content).toMatch(/[\ud800-\udbff][\udc00-\udfff]/)
    expect(content).toMatch(/["\\\n]/)
    expect(generated.bytes.length).toBeGreaterThan(new TextDecoder().decode(generated.bytes).length)
  })
})

describe('splitRandom and splitFixed', () => {
  const body = generateChatText({ seed: 3, targetBytes: 200_000 }).bytes

  test('splitRandom keeps every byte, in chunks of 1–8192 bytes, cutting inside UTF-8 sequences', () => {
    const chunks = splitRandom(body, createRandom(4), 1, 8192)
    expect(concat(chunks)).toEqual(body)
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(1)
      expect(chunk.length).toBeLessThanOrEqual(8192)
    }
    const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80
    const splitInside = splitRandom(body, createRandom(5), 1, 64).some((c) => isContinuation(c[0]))
    expect(splitInside).toBe(true)
  })

  test('splitFixed makes 1,460-byte chunks and a shorter last one', () => {
    const chunks = splitFixed(body, 1460)
    expect(concat(chunks)).toEqual(body)
    expect(chunks.slice(0, -1).every((c) => c.length === 1460)).toBe(true)
    expect(chunks.at(-1)!.length).toBeLessThanOrEqual(1460)
  })
})

describe('fragments', () => {
  test('cuts 4–12 units, never inside a surrogate pair', () => {
    const text = '😀a😀bc😀😀def😀'.repeat(200)
    const pieces = fragments(text, createRandom(6), 4, 12)
    expect(pieces.join('')).toBe(text)
    for (const piece of pieces.slice(0, -1)) {
      expect(piece.length).toBeGreaterThanOrEqual(4)
      expect(piece.length).toBeLessThanOrEqual(13)
      expect(piece.charCodeAt(piece.length - 1) & 0xfc00).not.toBe(0xd800)
    }
  })
})

describe('generateToolArgs', () => {
  const generated = generateToolArgs({ seed: 7, argsChars: 20_000 })

  test('streams one call whose fragments rebuild the arguments of the document', () => {
    const chunks = chunksOf(generated.bytes)
    expect(chunks[0]!.choices[0].delta.tool_calls[0]).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'upsert_catalog', arguments: '' },
    })
    const pieces = chunks.slice(1, -2).map((c) => c.choices[0].delta.tool_calls[0].function.arguments as string)
    expect(pieces.length).toBe(generated.argumentDeltas)
    expect(pieces.join('')).toBe(generated.argumentsText)
    expect(JSON.parse(generated.argumentsText)).toEqual(generated.document)
    for (const piece of pieces.slice(0, -1)) expect(piece.length).toBeGreaterThanOrEqual(4)
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls')
    expect(generated.expected.choices[0]!.tool_calls[0]!.arguments).toBe(generated.argumentsText)
  })

  test('makes arguments of about the requested size, with every JSON value kind', () => {
    expect(generated.argumentsText.length).toBeGreaterThanOrEqual(20_000)
    expect(generated.argumentsText.length).toBeLessThan(21_500)
    for (const pattern of [/"[^"]*[\u0080-\uffff]/, /\\"/, /\\\\/, /\\n/, /e-\d/, /\d\.\d/, /true/, /false/, /null/, /\[\[/, /\{"w"/]) {
      expect(generated.argumentsText).toMatch(pattern)
    }
  })
})

describe('generateParallelTools', () => {
  const generated = generateParallelTools({ seed: 8, targetBytes: 150_000 })

  test('interleaves 8 calls, each started before its first fragment, each rebuilding its arguments', () => {
    const chunks = chunksOf(generated.bytes)
    const args = new Map<number, string>()
    const started = new Set<number>()
    const order: number[] = []
    for (const chunk of chunks) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (call.id) started.add(call.index)
        else expect(started.has(call.index)).toBe(true)
        args.set(call.index, (args.get(call.index) ?? '') + call.function.arguments)
        order.push(call.index)
      }
    }
    expect([...args.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    const expected = generated.expected.choices[0]!.tool_calls
    for (const [index, text] of args) {
      expect(text).toBe(expected[index]!.arguments)
      expect(() => JSON.parse(text)).not.toThrow()
    }
    const switches = order.filter((index, i) => i > 0 && index !== order[i - 1]).length
    expect(switches).toBeGreaterThan(order.length / 2)
  })

  test('lands near the requested size', () => {
    expect(generated.bytes.length).toBeGreaterThan(100_000)
    expect(generated.bytes.length).toBeLessThan(250_000)
  })
})

describe('generateLongEvent', () => {
  test('makes one data line of at most, and nearly, the requested bytes, then [DONE]', () => {
    const size = 256 * 1024
    const generated = generateLongEvent({ seed: 9, eventBytes: size })
    const all = payloads(generated.bytes)
    expect(all.length).toBe(2)
    expect(all[1]).toBe('[DONE]')
    const eventBytes = utf8Length(`data: ${all[0]!}\n\n`)
    expect(eventBytes).toBeLessThanOrEqual(size)
    expect(eventBytes).toBeGreaterThan(size - 200)
    const chunk = JSON.parse(all[0]!) as { choices: { delta: { content: string } }[] }
    expect(chunk.choices[0]!.delta.content).toBe(generated.expected.choices[0]!.content)
    expect(chunk.choices[0]!.delta.content).toMatch(/[\u0080-\uffff]/)
  })
})

describe('generateStreamPrefixes', () => {
  test('gives each stream 20 one-event reads whose content is the recorded content', () => {
    const prefixes = generateStreamPrefixes({ seed: 10, streams: 30, eventsPerStream: 20 })
    for (let s = 0; s < 30; s++) {
      const events = eventsOf(prefixes, s)
      expect(events.length).toBe(20)
      const chunks = events.flatMap((e) => chunksOf(e))
      expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe(prefixes.contents[s])
      expect(chunks.every((c) => c.choices[0].finish_reason === null)).toBe(true)
    }
    expect(new Set(prefixes.contents).size).toBe(30)
  })
})

describe('summarize and compare', () => {
  test('names the first difference', () => {
    const a = summarize({
      id: 'x',
      model: 'm',
      created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
    })
    const b = summarize({
      id: 'x',
      model: 'm',
      created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Ho' }, finish_reason: 'stop' }],
    })
    expect(compare(a, a)).toEqual({ ok: true })
    expect(compare(a, b)).toEqual({ ok: false, detail: '$.choices.0.content: got "Hi", expected "Ho"' })
  })

  test('treats an empty content as null', () => {
    const empty = summarize({ choices: [{ index: 0, message: { role: 'assistant', content: '' } }] })
    expect(empty.choices[0]!.content).toBeNull()
  })
})

describe('generateResponsesStream', () => {
  const generated = generateResponsesStream({ seed: 5, textChars: 20_000, argsChars: 20_000 })
  const blocks = new TextDecoder().decode(generated.bytes).slice(0, -2).split('\n\n')
  const events = blocks.map((b) => JSON.parse(b.split('\n')[1]!.slice(6)) as Record<string, any>)

  test('is deterministic for a seed', () => {
    const same = (a: Uint8Array) => Buffer.from(a).equals(Buffer.from(generated.bytes))
    expect(same(generateResponsesStream({ seed: 5, textChars: 20_000, argsChars: 20_000 }).bytes)).toBe(true)
    expect(same(generateResponsesStream({ seed: 6, textChars: 20_000, argsChars: 20_000 }).bytes)).toBe(false)
  })

  test('every event has an event: line naming its type and increasing sequence numbers', () => {
    expect(events).toHaveLength(generated.eventCount)
    for (const [i, b] of blocks.entries()) expect(b.split('\n')[0]).toBe(`event: ${events[i]!.type}`)
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i))
  })

  test('the deltas join to the text and the arguments, which parse to the document', () => {
    const text = events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('')
    const args = events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta)
    expect(text).toBe(generated.text)
    expect(text.length).toBeGreaterThanOrEqual(20_000)
    expect(args.join('')).toBe(generated.argumentsText)
    expect(args).toHaveLength(generated.argumentDeltas)
    expect(args.every((a) => a.length >= 4 && a.length <= 13)).toBe(true)
    expect(JSON.parse(generated.argumentsText)).toEqual(generated.document)
  })

  test('ends with response.completed holding both items and usage', () => {
    const last = events.at(-1)!
    expect(last.type).toBe('response.completed')
    expect(last.response).toEqual(generated.response)
    expect(last.response.output.map((i: { type: string }) => i.type)).toEqual(['message', 'function_call'])
  })
})
