// Each member of the Deno workspace, imported by the name it is published under on JSR. Inside the
// workspace the names resolve to the members' TypeScript sources (the root deno.json); a published
// package gets `jsr:` specifiers in their place.
import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import * as core from '@deltafold/core'
import * as web from '@deltafold/web'
import * as deno from '@deltafold/deno'

const BODY =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}\n\n' +
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n'

Deno.test('jsr names: @deltafold/core, @deltafold/web and @deltafold/deno resolve to the TypeScript sources', () => {
  for (const name of ['@deltafold/core', '@deltafold/web'])
    ok(import.meta.resolve(name).endsWith('/src/index.ts'), import.meta.resolve(name))
  ok(import.meta.resolve('@deltafold/deno').endsWith('/packages/deno/mod.ts'), import.meta.resolve('@deltafold/deno'))
})

Deno.test('jsr names: @deltafold/core folds a stream to the final completion', async () => {
  const completion = await core.accumulateChatCompletion(BODY)
  equal(completion.choices[0]?.message.content, 'Hello')
  equal(completion.choices[0]?.finish_reason, 'stop')
})

Deno.test('jsr names: @deltafold/web pipes a Response body through its TransformStreams', async () => {
  const events = new web.ChatCompletionEventStream()
  const deltas: string[] = []
  const read = new Response(BODY)
    .body!.pipeThrough(new web.SSEDecoderStream({ dispatchUnterminated: true }))
    .pipeThrough(new web.ChatCompletionChunkStream())
    .pipeThrough(events)
  for await (const event of read) if (event.type === 'content.delta') deltas.push(event.delta)
  deepStrictEqual(deltas, ['Hel', 'lo'])
  equal((await events.finalChatCompletion()).choices[0]?.message.content, 'Hello')
})

Deno.test('jsr names: @deltafold/deno re-exports the very objects of core and web', () => {
  equal(deno.accumulateChatCompletion, core.accumulateChatCompletion)
  equal(deno.DeltafoldError, core.DeltafoldError)
  equal(deno.fromResponse, web.fromResponse)
  equal(deno.SSEDecoderStream, web.SSEDecoderStream)
})
