/**
 * The gateway pattern on `Deno.serve`: a proxy in front of an OpenAI-compatible API that streams
 * every response to its client byte for byte while it folds the final `chat.completion` on the side,
 * for logging, billing or caching. The upstream body goes through a {@link ChatCompletionTapStream}:
 * each chunk is passed on first, unchanged, and folded after, so the client sees no added latency,
 * nothing is buffered beyond one SSE event (no `tee()`), and a malformed stream never breaks the
 * client's response (fail-open: only the fold fails).
 *
 * With `?normalize=1` the client gets a canonical OpenAI stream instead (a
 * {@link ChatCompletionNormalizeStream} before the tap), which strict clients such as the `openai`
 * package read whatever the upstream's quirks; the logged completion is then the canonical one.
 *
 * Run it (from the repository root, after `npx -y pnpm@10 build`):
 *
 * ```sh
 * UPSTREAM_URL=http://127.0.0.1:8080/v1/ deno run --allow-net --allow-env \
 *   --config packages/deno/deno.json packages/deno/examples/gateway.ts
 * curl -N 'http://127.0.0.1:8787/chat/completions?normalize=1' -H 'content-type: application/json' \
 *   -d '{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}'
 * ```
 *
 * @module
 */
import {
  type ChatCompletion,
  ChatCompletionNormalizeStream,
  type ChatCompletionNormalizerOptions,
  type ChatCompletionTapOptions,
  ChatCompletionTapStream,
} from '../mod.ts'

/** What the gateway knows about one proxied exchange, passed to its callbacks. */
export interface GatewayExchange {
  /** The client's request. */
  request: Request
  /** The upstream URL the request was sent to. */
  upstreamUrl: string
  /** The upstream's HTTP status. */
  status: number
  /** The client asked for a canonical stream (`?normalize=1`). */
  normalized: boolean
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
   * Receives what stopped the fold (a malformed stream, a provider error, the client going away): a
   * `DeltafoldError` carrying `partial`, everything received before it.
   * @defaultValue logs the error with `console.error`
   */
  onError?: (error: unknown, exchange: GatewayExchange) => void
  /** Options of the tap (`limits`, `maxEventBytes`, `strict`, `failClosed`, ...). */
  tap?: Omit<ChatCompletionTapOptions, 'onEvent'>
  /** Options of the normalize stream of `?normalize=1` (`reasoningField`, `limits`, ...). */
  normalize?: Omit<ChatCompletionNormalizerOptions, 'translator'>
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
 * response. When it is a successful `text/event-stream`, its body is piped through a tap (and, for
 * `?normalize=1`, a normalize stream first) and the final completion reported to `onCompletion`.
 *
 * The client's disconnect cancels its response body; the pipe cancels the upstream body with it (the
 * provider stops generating), and `onError` receives the `aborted` error with the partial completion.
 *
 * @param options - `upstream`, plus optional `onCompletion`, `onError`, `tap`, `normalize` and `fetch`
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
    throw new TypeError(
      "createGatewayHandler() needs the upstream base URL: createGatewayHandler({ upstream: 'http://127.0.0.1:8080/v1/' })",
    )
  }
  const base = new URL(options.upstream)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  const fetchUpstream = options.fetch ?? globalThis.fetch
  const onCompletion = options.onCompletion ?? logCompletion
  const onError = options.onError ?? ((error: unknown) => console.error('gateway: the fold failed:', error))

  return async (request) => {
    const incoming = new URL(request.url)
    // `normalize` is the gateway's own parameter: the upstream never sees it.
    const normalized = incoming.searchParams.get('normalize') === '1'
    incoming.searchParams.delete('normalize')
    const target = new URL(incoming.pathname.replace(/^\/+/, '') + incoming.search, base)
    const headers = new Headers(request.headers)
    for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name)
    // Chat requests are small JSON documents: buffering them avoids half-duplex streaming uploads.
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer()
    let upstream: Response
    try {
      upstream = await fetchUpstream(target, { method: request.method, headers, body, redirect: 'manual' })
    } catch (error) {
      return Response.json({ error: { message: `Upstream request failed: ${String(error)}`, type: 'gateway_error' } }, { status: 502 })
    }
    const responseHeaders = new Headers(upstream.headers)
    for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name)
    const init = { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders }
    const isEventStream = (upstream.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream')
    if (!upstream.ok || upstream.body === null || !isEventStream) return new Response(upstream.body, init)

    const exchange: GatewayExchange = { request, upstreamUrl: target.href, status: upstream.status, normalized }
    const tap = new ChatCompletionTapStream(options.tap)
    tap
      .finalChatCompletion()
      .then(
        (completion) => onCompletion(completion, exchange),
        (error) => onError(error, exchange),
      )
      .catch((error) => console.error('gateway: a callback threw:', error))
    const source = normalized ? upstream.body.pipeThrough(new ChatCompletionNormalizeStream(options.normalize)) : upstream.body
    return new Response(source.pipeThrough(tap), init)
  }
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
