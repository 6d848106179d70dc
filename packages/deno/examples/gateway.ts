/**
 * The gateway pattern on `Deno.serve`: a proxy in front of an OpenAI-compatible API that streams
 * every response to its client byte for byte while it accumulates the final `chat.completion` on the
 * side, for logging, billing or caching. The upstream body is `tee()`d: one branch is the client's
 * response body, the other feeds {@link accumulateChatCompletion}, so the client sees no added latency
 * and the completion is complete (or carries its `partial`) once the stream ends.
 *
 * Run it (from the repository root, after `npx -y pnpm@10 build`):
 *
 * ```sh
 * UPSTREAM_URL=http://127.0.0.1:8080/v1/ deno run --allow-net --allow-env \
 *   --config packages/deno/deno.json packages/deno/examples/gateway.ts
 * curl -N http://127.0.0.1:8787/chat/completions -H 'content-type: application/json' \
 *   -d '{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}'
 * ```
 *
 * @module
 */
import { accumulateChatCompletion, type ChatCompletion, type ChatCompletionStreamOptions } from '../mod.ts'

/** What the gateway knows about one proxied exchange, passed to its callbacks. */
export interface GatewayExchange {
  /** The client's request. */
  request: Request
  /** The upstream URL the request was sent to. */
  upstreamUrl: string
  /** The upstream's HTTP status. */
  status: number
}

/** Options of {@link createGatewayHandler}. */
export interface GatewayOptions {
  /**
   * Base URL of the upstream API. The request's path (without its leading `/`) and query are
   * resolved against it, so `http://host/v1/` + `/chat/completions` is `http://host/v1/chat/completions`.
   */
  upstream: string | URL
  /**
   * Receives the final completion of every event-stream response.
   * @defaultValue logs the model, finish reasons and usage as one JSON line
   */
  onCompletion?: (completion: ChatCompletion, exchange: GatewayExchange) => void
  /**
   * Receives what stopped the accumulation (a malformed stream, the client going away): a
   * `DeltafoldError` or the abort reason, carrying `partial`, everything received before it.
   * @defaultValue logs the error with `console.error`
   */
  onError?: (error: unknown, exchange: GatewayExchange) => void
  /** Options of the accumulation (`limits`, `maxEventBytes`, `strict`, ...). */
  accumulate?: Omit<ChatCompletionStreamOptions, 'signal' | 'onEvent'>
  /**
   * The `fetch` that reaches the upstream.
   * @defaultValue globalThis.fetch
   */
  fetch?: typeof fetch
}

// Hop-by-hop headers (RFC 9110 section 7.6.1) and the ones that describe the wire encoding, which
// `fetch` has already undone: forwarding `content-encoding: gzip` with a decoded body would break it.
const DROPPED_REQUEST_HEADERS = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'accept-encoding']
const DROPPED_RESPONSE_HEADERS = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'content-encoding']

/**
 * Creates a `Deno.serve` handler that forwards each request to `upstream` and returns the upstream
 * response unchanged. When the response is a successful `text/event-stream`, its body is `tee()`d
 * and one branch is accumulated into the final completion, reported to `onCompletion`.
 *
 * The client's disconnect (its response body cancelled) aborts the upstream request, so the provider
 * stops generating; `onError` then receives the failed read with the partial completion. `tee()` buffers
 * for the slower branch, so memory is bounded by the response size, which the accumulator's
 * `limits` bound in turn.
 *
 * @param options - `upstream`, plus optional `onCompletion`, `onError`, `accumulate` and `fetch`
 * @returns a handler for `Deno.serve`
 * @example
 * ```ts
 * import { createGatewayHandler } from './gateway.ts'
 * const handler = createGatewayHandler({
 *   upstream: 'http://127.0.0.1:8080/v1/',
 *   onCompletion: (completion) => console.log(completion.usage),
 * })
 * const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, handler)
 * await server.shutdown()
 * ```
 */
export function createGatewayHandler(options: GatewayOptions): (request: Request) => Promise<Response> {
  if (typeof options !== 'object' || options === null || options.upstream === undefined) {
    throw new TypeError("createGatewayHandler() needs the upstream base URL: createGatewayHandler({ upstream: 'http://127.0.0.1:8080/v1/' })")
  }
  const base = new URL(options.upstream)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  const fetchUpstream = options.fetch ?? globalThis.fetch
  const onCompletion = options.onCompletion ?? logCompletion
  const onError = options.onError ?? ((error: unknown) => console.error('gateway: accumulation failed:', error))

  return async (request) => {
    const incoming = new URL(request.url)
    const target = new URL(incoming.pathname.replace(/^\/+/, '') + incoming.search, base)
    const headers = new Headers(request.headers)
    for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name)
    // Chat requests are small JSON documents: buffering them avoids half-duplex streaming uploads.
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer()
    // Aborted when the client cancels its response body, so the provider stops generating. (Not
    // `request.signal`: Deno.serve also aborts it after every successful response.)
    const upstreamAbort = new AbortController()
    let upstream: Response
    try {
      upstream = await fetchUpstream(target, { method: request.method, headers, body, signal: upstreamAbort.signal, redirect: 'manual' })
    } catch (error) {
      return Response.json({ error: { message: `Upstream request failed: ${String(error)}`, type: 'gateway_error' } }, { status: 502 })
    }
    const responseHeaders = new Headers(upstream.headers)
    for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name)
    const init = { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders }
    const isEventStream = (upstream.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream')
    if (!upstream.ok || upstream.body === null || !isEventStream) return new Response(upstream.body, init)

    const [toClient, toAccumulator] = upstream.body.tee()
    const exchange: GatewayExchange = { request, upstreamUrl: target.href, status: upstream.status }
    accumulateChatCompletion(toAccumulator, options.accumulate).then(
      (completion) => onCompletion(completion, exchange),
      (error) => onError(error, exchange),
    ).catch((error) => console.error('gateway: a callback threw:', error))
    return new Response(abortOnCancel(toClient, upstreamAbort), init)
  }
}

/**
 * `stream`, with a cancel (the client went away) that also aborts the upstream request. A `tee()`
 * branch alone cannot do it: the source is cancelled only once both branches are, and the
 * accumulating branch keeps reading.
 */
function abortOnCancel(stream: ReadableStream<Uint8Array>, upstream: AbortController): ReadableStream<Uint8Array> {
  const reader = stream.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel(reason) {
      upstream.abort(reason)
      return reader.cancel(reason)
    },
  })
}

function logCompletion(completion: ChatCompletion, exchange: GatewayExchange): void {
  console.log(
    JSON.stringify({
      upstream: exchange.upstreamUrl,
      id: completion.id,
      model: completion.model,
      finish: completion.choices.map((choice) => choice.finish_reason),
      usage: completion.usage ?? null,
    }),
  )
}

if (import.meta.main) {
  const upstream = Deno.env.get('UPSTREAM_URL')
  if (!upstream) {
    console.error('Set UPSTREAM_URL to the base URL of an OpenAI-compatible API, such as http://127.0.0.1:8080/v1/')
    Deno.exit(2)
  }
  const port = Number(Deno.env.get('PORT') ?? 8787)
  Deno.serve({ hostname: '127.0.0.1', port }, createGatewayHandler({ upstream }))
}
