import { accumulateAnthropicMessage, createSSEDecoder } from '@deltafold/core'
import { describe, expect, test } from 'vitest'
import { deltafoldAnthropicPartial, createAnthropicClient, sdkFinalMessage, sdkPartial } from '../contenders/anthropic.js'
import { generateAnthropicText, generateAnthropicToolInput } from '../generators/anthropic-messages.js'

/** Byte equality (vitest's deep equality walks a 100 KB array element by element: seconds on this machine). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b)

/** The (event name, data type) pairs of a body. */
function events(bytes: Uint8Array): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const decoder = createSSEDecoder({ onEvent: (e) => out.push([e.type, (JSON.parse(e.data) as { type: string }).type]) })
  decoder.feed(bytes)
  decoder.end()
  return out
}

describe('generateAnthropicText', () => {
  const generated = generateAnthropicText({ seed: 1, targetBytes: 40_000 })

  test('is deterministic for a seed', () => {
    expect(same(generateAnthropicText({ seed: 1, targetBytes: 40_000 }).bytes, generated.bytes)).toBe(true)
    expect(same(generateAnthropicText({ seed: 2, targetBytes: 40_000 }).bytes, generated.bytes)).toBe(false)
  })

  test('reaches the target size, with event: lines matching each data type, in Messages order', () => {
    expect(generated.bytes.length).toBeGreaterThanOrEqual(40_000)
    expect(generated.bytes.length).toBeLessThan(41_000)
    const all = events(generated.bytes)
    expect(all.length).toBe(generated.eventCount)
    for (const [name, type] of all) expect(name).toBe(type)
    const types = all.map(([, type]) => type).filter((type) => type !== 'ping')
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start'])
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop'])
    expect(types.filter((type) => type === 'content_block_delta').length).toBe(generated.deltas)
  })

  test('folds, in deltafold and in the SDK, to the content it declares', async () => {
    expect((await accumulateAnthropicMessage(generated.bytes)).content).toEqual(generated.content)
    const sdk = createAnthropicClient()
    sdk.setBody([generated.bytes])
    expect(((await sdkFinalMessage(sdk.client)) as { content: unknown }).content).toEqual(generated.content)
  })
})

describe('generateAnthropicToolInput', () => {
  const generated = generateAnthropicToolInput({ seed: 3, inputChars: 20_000 })

  test('is deterministic for a seed and near the input size', () => {
    expect(same(generateAnthropicToolInput({ seed: 3, inputChars: 20_000 }).bytes, generated.bytes)).toBe(true)
    expect(same(generateAnthropicToolInput({ seed: 4, inputChars: 20_000 }).bytes, generated.bytes)).toBe(false)
    expect(generated.inputText.length).toBeGreaterThanOrEqual(20_000)
    expect(generated.inputText.length).toBeLessThan(21_500)
    expect(JSON.parse(generated.inputText)).toEqual(generated.document)
  })

  test('streams the input in 4–12 character fragments', () => {
    const fragments: string[] = []
    const decoder = createSSEDecoder({
      onEvent(e) {
        const data = JSON.parse(e.data) as { delta?: { type: string; partial_json: string } }
        if (data.delta?.type === 'input_json_delta') fragments.push(data.delta.partial_json)
      },
    })
    decoder.feed(generated.bytes)
    decoder.end()
    expect(fragments.length).toBe(generated.deltas)
    expect(fragments.join('')).toBe(generated.inputText)
    for (const fragment of fragments.slice(0, -1)) expect(fragment.length).toBeGreaterThanOrEqual(4)
    for (const fragment of fragments) expect(fragment.length).toBeLessThanOrEqual(13)
  })

  test('deltafold and the SDK read one partial input per delta, the last one the whole document', async () => {
    // Small: the SDK re-parses the whole input on every delta (quadratic).
    const generated = generateAnthropicToolInput({ seed: 3, inputChars: 3_000 })
    const ours = await deltafoldAnthropicPartial([generated.bytes])
    expect(ours.reads).toBe(generated.deltas)
    expect(ours.last).toEqual(generated.document)
    expect((ours.message as { content: unknown }).content).toEqual(generated.content)
    const sdk = createAnthropicClient()
    sdk.setBody([generated.bytes])
    const theirs = await sdkPartial(sdk.client)
    expect(theirs.reads).toBe(generated.deltas)
    expect(theirs.last).toEqual(generated.document)
  })
})
