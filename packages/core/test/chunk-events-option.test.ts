import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createChatCompletionStreamParser, type CompletionEvent } from '@deltafold/core'

const root = join(__dirname, '../../../test/fixtures/recorded')
const fixtures = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.sse'))
  .sort()

function run(bytes: Uint8Array, options: { fastPath: boolean; chunkEvents?: boolean }) {
  const events: string[] = []
  const parser = createChatCompletionStreamParser({
    ...options,
    parseArguments: true,
    onEvent: (event: CompletionEvent) => events.push(JSON.stringify(event)),
  })
  let error: unknown
  let completion: unknown
  try {
    for (let i = 0; i < bytes.length; i += 97) parser.feed(bytes.subarray(i, i + 97))
    completion = parser.end()
  } catch (e) {
    error = e
  }
  return { events, completion: completion ?? parser.snapshot(), error }
}

describe.each([true, false])('fastPath: %s', (fastPath) => {
  test.each(fixtures)('chunkEvents: false drops exactly the chunk events of %s, nothing else', (file) => {
    const bytes = readFileSync(join(root, file))
    const all = run(bytes, { fastPath })
    const without = run(bytes, { fastPath, chunkEvents: false })
    expect(all.events.some((e) => e.startsWith('{"type":"chunk"'))).toBe(true)
    expect(without.events).toEqual(all.events.filter((e) => !e.startsWith('{"type":"chunk"')))
    expect(without.completion).toEqual(all.completion)
    expect(String(without.error)).toBe(String(all.error))
  })
})
