import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import * as core from '@deltafold/core'
import * as web from '@deltafold/web'
import * as mod from '../mod.ts'

const BODY =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}\n\n' +
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n'

Deno.test('mod: re-exports every runtime export of @deltafold/core and @deltafold/web, by name', () => {
  const exported = new Set(Object.keys(mod))
  const missing = [...Object.keys(core), ...Object.keys(web)].filter((name) => !exported.has(name))
  deepStrictEqual(missing, [], 'add the missing names to packages/deno/mod.ts')
  for (const name of Object.keys(core)) equal((mod as Record<string, unknown>)[name], (core as Record<string, unknown>)[name], name)
})

const NOT_REEXPORTED_TYPES = new Set<string>()

Deno.test('mod: re-exports every type of the source entry points of core and web, by name', async () => {
  // The workspace resolves the package names to the members' TypeScript entry points.
  const declared = async (name: string) => exportedNames(await Deno.readTextFile(new URL(import.meta.resolve(name))))
  const modText = await Deno.readTextFile(new URL('../mod.ts', import.meta.url))
  const reexported = new Set(exportedNames(modText))
  const wanted = [...(await declared('@deltafold/core')), ...(await declared('@deltafold/web'))]
  const missing = wanted.filter((name) => !reexported.has(name) && !NOT_REEXPORTED_TYPES.has(name))
  deepStrictEqual(missing, [], 'add the missing names to packages/deno/mod.ts')
})

/** Every name in the `export { … }` / `export type { … }` lists of a source entry point. */
function exportedNames(source: string): string[] {
  const lists = [...source.matchAll(/^export (?:type )?\{([^}]*)\}/gm)]
  ok(lists.length > 0, 'no export list in the entry point')
  return lists.flatMap((m) => names(m[1]!))
}

function names(list: string): string[] {
  return list
    .split(',')
    .map((item) =>
      item
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)!
        .trim(),
    )
    .filter((name) => name !== '')
}

Deno.test("mod: accumulates a Response on Deno's own fetch types", async () => {
  const completion = await mod.accumulateChatCompletion(new Response(BODY, { headers: { 'content-type': 'text/event-stream' } }))
  equal(completion.choices[0]?.message.content, 'Hello')
  equal(completion.choices[0]?.finish_reason, 'stop')
})

Deno.test('mod: decodes SSE bytes split inside a UTF-8 sequence', () => {
  const data: string[] = []
  const decoder = mod.createSSEDecoder({ onEvent: (event) => data.push(event.data) })
  const bytes = new TextEncoder().encode('data: €uro\r\n\r\n')
  for (const byte of bytes) decoder.feed(Uint8Array.of(byte))
  decoder.end()
  deepStrictEqual(data, ['€uro'])
})

Deno.test('mod: errors are DeltafoldErrors with a code and the partial completion', async () => {
  const error = await mod.accumulateChatCompletion(BODY.slice(0, BODY.indexOf('\n\n') + 2) + 'data: {oops}\n\n').catch((e: unknown) => e)
  ok(mod.isDeltafoldError(error))
  equal(error.code, 'invalid_json')
  equal((error.partial as mod.ChatCompletion | undefined)?.choices[0]?.message.content, 'Hel')
})

Deno.test('mod: the partial-JSON parser shows tool arguments as they arrive', () => {
  const parser = mod.createPartialJSONParser()
  parser.feed('{"city":"Par')
  deepStrictEqual(parser.value, { city: 'Par' })
  parser.feed('is"}')
  deepStrictEqual(parser.end(), { city: 'Paris' })
})

Deno.test('mod: fromResponse reads a real fetch() Response from Deno.serve', async () => {
  const server = Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen() {} },
    () => new Response(BODY, { headers: { 'content-type': 'text/event-stream' } }),
  )
  try {
    const stream: mod.ResponseCompletionStream = mod.fromResponse(await fetch(`http://127.0.0.1:${server.addr.port}/`))
    const deltas: string[] = []
    for await (const event of stream.events) if (event.type === 'content.delta') deltas.push(event.delta)
    deepStrictEqual(deltas, ['Hel', 'lo'])
    equal((await stream.finalChatCompletion()).choices[0]?.message.content, 'Hello')
  } finally {
    await server.shutdown()
  }
})

Deno.test('mod: the TransformStream pipeline runs on a Deno ReadableStream', async () => {
  const eventStream = new mod.ChatCompletionEventStream()
  const events = new Response(BODY)
    .body!.pipeThrough(new mod.SSEDecoderStream({ dispatchUnterminated: true }))
    .pipeThrough(new mod.ChatCompletionChunkStream())
    .pipeThrough(eventStream)
  const types: string[] = []
  for await (const event of events) types.push(event.type)
  ok(types.includes('content.delta') && types.at(-1) === 'done', types.join(','))
  equal((await eventStream.finalChatCompletion()).choices[0]?.message.content, 'Hello')
})
