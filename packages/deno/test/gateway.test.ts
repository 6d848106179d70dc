import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import { accumulateChatCompletion, type ChatCompletion, createChatCompletionNormalizer, isDeltafoldError } from '../mod.ts'
import { createGatewayHandler, type GatewayExchange } from '../examples/gateway.ts'
import { deferred, readFixture, serve, trickle, within } from './helpers.ts'

const FIXTURES = [
  'simonw-llm/openai-gpt-4o-mini-tool-call.sse',
  'openai-node/gpt-4o-content-logprobs.sse',
  'vercel-ai/deepseek-reasoner-reasoning.sse',
]

for (const name of FIXTURES) {
  Deno.test(`gateway: streams ${name} to the client unchanged and accumulates the same completion`, async () => {
    const bytes = await readFixture(name)
    const seen = deferred<{ path: string; body: string }>()
    const upstream = serve(async (request) => {
      seen.resolve({ path: new URL(request.url).pathname, body: await request.text() })
      return new Response(trickle(bytes, Math.max(61, Math.ceil(bytes.length / 64))), {
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      })
    })
    const completed = deferred<{ completion: ChatCompletion; exchange: GatewayExchange }>()
    const proxy = serve(
      createGatewayHandler({
        upstream: `${upstream.url}/v1`,
        onCompletion: (completion, exchange) => completed.resolve({ completion, exchange }),
        onError: (error) => completed.reject(error),
      }),
    )
    try {
      const requestBody = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
      const response = await fetch(`${proxy.url}/chat/completions?trace=1`, { method: 'POST', body: requestBody })
      equal(response.status, 200)
      ok(response.headers.get('content-type')?.startsWith('text/event-stream'))
      const received = new Uint8Array(await response.arrayBuffer())
      deepStrictEqual(received, bytes, 'the client receives the upstream bytes unchanged')
      deepStrictEqual(await seen.promise, { path: '/v1/chat/completions', body: requestBody })
      const { completion, exchange } = await within(completed.promise, 5000, 'onCompletion')
      deepStrictEqual(completion, await accumulateChatCompletion(bytes))
      equal(exchange.upstreamUrl, `${upstream.url}/v1/chat/completions?trace=1`)
      equal(exchange.status, 200)
      equal(exchange.normalized, false)
    } finally {
      await proxy.shutdown()
      await upstream.shutdown()
    }
  })
}

for (const name of FIXTURES) {
  Deno.test(`gateway: ?normalize=1 serves the canonical stream of ${name} and logs its completion`, async () => {
    const bytes = await readFixture(name)
    const seen = deferred<string>()
    const upstream = serve((request) => {
      seen.resolve(request.url)
      return new Response(trickle(bytes, 97), { headers: { 'content-type': 'text/event-stream' } })
    })
    const completed = deferred<{ completion: ChatCompletion; exchange: GatewayExchange }>()
    const proxy = serve(
      createGatewayHandler({
        upstream: upstream.url,
        onCompletion: (completion, exchange) => completed.resolve({ completion, exchange }),
        onError: (error) => completed.reject(error),
      }),
    )
    try {
      const response = await fetch(`${proxy.url}/chat/completions?normalize=1&trace=1`, { method: 'POST', body: '{}' })
      const received = await response.text()
      const normalizer = createChatCompletionNormalizer()
      equal(received, normalizer.feed(bytes) + normalizer.end())
      equal(new URL(await seen.promise).search, '?trace=1', 'the upstream never sees normalize=1')
      const { completion, exchange } = await within(completed.promise, 5000, 'onCompletion')
      deepStrictEqual(completion, await accumulateChatCompletion(received))
      equal(exchange.normalized, true)
      ok(completion.choices.every((choice) => choice.finish_reason !== null))
    } finally {
      await proxy.shutdown()
      await upstream.shutdown()
    }
  })
}

Deno.test('gateway: a malformed upstream stream still reaches the client whole; only the fold fails (fail-open)', async () => {
  const body =
    'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n' +
    'data: {oops\n\ndata: [DONE]\n\n'
  const upstream = serve(() => new Response(body, { headers: { 'content-type': 'text/event-stream' } }))
  const failed = deferred<unknown>()
  const proxy = serve(
    createGatewayHandler({
      upstream: upstream.url,
      onCompletion: () => failed.reject(new Error('completed')),
      onError: (e) => failed.resolve(e),
    }),
  )
  try {
    const response = await fetch(`${proxy.url}/chat/completions`, { method: 'POST', body: '{}' })
    equal(await response.text(), body)
    const error = (await within(failed.promise, 5000, 'onError')) as { code?: string; partial?: ChatCompletion }
    ok(isDeltafoldError(error))
    equal(error.code, 'invalid_json')
    equal(error.partial?.choices[0]?.message.content, 'Hel')
  } finally {
    await proxy.shutdown()
    await upstream.shutdown()
  }
})

Deno.test('gateway: passes a non-2xx upstream response through without accumulating it', async () => {
  const errorBody = '{"error":{"message":"Rate limited","type":"rate_limit"}}'
  const upstream = serve(
    () => new Response(errorBody, { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '3' } }),
  )
  let calls = 0
  const proxy = serve(createGatewayHandler({ upstream: upstream.url, onCompletion: () => calls++, onError: () => calls++ }))
  try {
    const response = await fetch(`${proxy.url}/chat/completions`, { method: 'POST', body: '{}' })
    equal(response.status, 429)
    equal(response.headers.get('retry-after'), '3')
    equal(await response.text(), errorBody)
    equal(calls, 0)
  } finally {
    await proxy.shutdown()
    await upstream.shutdown()
  }
})

Deno.test('gateway: a client that goes away mid-stream aborts the upstream and reports the partial completion', async () => {
  const first = new TextEncoder().encode(
    'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}\n\n',
  )
  const upstreamCancelled = deferred<void>()
  const upstream = serve(
    () =>
      new Response(trickle(first, first.length, { hangAtEnd: true, onCancel: () => upstreamCancelled.resolve() }), {
        headers: { 'content-type': 'text/event-stream' },
      }),
  )
  const failed = deferred<unknown>()
  const proxy = serve(
    createGatewayHandler({
      upstream: upstream.url,
      onCompletion: () => failed.resolve(new Error('completed')),
      onError: (error) => failed.resolve(error),
    }),
  )
  try {
    const controller = new AbortController()
    const response = await fetch(`${proxy.url}/chat/completions`, { method: 'POST', body: '{}', signal: controller.signal })
    const reader = response.body!.getReader()
    const { value } = await reader.read()
    deepStrictEqual(value, first)
    controller.abort()
    await reader.cancel().catch(() => {})
    const error = (await within(failed.promise, 5000, 'onError')) as { partial?: ChatCompletion }
    ok(!(error instanceof Error && error.message === 'completed'), 'the stream must not complete')
    ok(isDeltafoldError(error), `expected a DeltafoldError, got ${String(error)}`)
    equal((error as { code?: string }).code, 'aborted')
    equal(error.partial?.choices[0]?.message.content, 'Hel')
    await within(upstreamCancelled.promise, 5000, 'the upstream body to be cancelled')
  } finally {
    await proxy.shutdown()
    await upstream.shutdown()
  }
})

Deno.test('gateway: rejects a missing upstream with a TypeError that says how to call it', () => {
  try {
    createGatewayHandler({} as never)
    ok(false, 'expected a TypeError')
  } catch (error) {
    ok(error instanceof TypeError)
    ok(error.message.includes('createGatewayHandler({ upstream:'))
  }
})
