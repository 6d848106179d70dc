/**
 * A logging proxy on `node:http` in front of an OpenAI-compatible API: every response is streamed
 * to the client byte for byte through `createTapTransform()`, which folds the final
 * `chat.completion` on the side (each chunk is pushed first, then parsed) for logging, billing or
 * caching. `pipeline()` ties the three streams together: a client that goes away destroys the
 * upstream response (the provider stops generating) and the fold rejects `aborted` with `partial`;
 * a malformed stream never breaks the client's response (fail-open), only the fold.
 *
 * Run it (after `npx -y pnpm@10 build`): `UPSTREAM_URL=http://127.0.0.1:8080/v1/ node --experimental-strip-types packages/node/examples/http-proxy.ts`
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { pipeline } from 'node:stream/promises'
import { createTapTransform, type TapTransform } from '@deltafold/node'
import type { ChatCompletion, ChatCompletionTapOptions } from '@deltafold/core'

/** Options of {@link createProxy}. */
export interface ProxyOptions {
  /** Base URL of the upstream API, such as `http://127.0.0.1:8080/v1/`. */
  upstream: string | URL
  /** Receives the final completion of every event-stream response. @defaultValue one JSON line on stdout */
  onCompletion?: (completion: ChatCompletion, request: IncomingMessage) => void
  /** Receives what stopped the fold (a `DeltafoldError` carrying `partial`). @defaultValue `console.error` */
  onError?: (error: unknown, request: IncomingMessage) => void
  /** Options of the tap (`limits`, `maxEventBytes`, `failClosed`, ...). */
  tap?: ChatCompletionTapOptions
}

const DROPPED = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length']

/**
 * Creates the proxy server (not listening yet): each request goes to the same path under
 * `upstream`; event-stream responses are tapped.
 *
 * @param options - `upstream`, plus optional `onCompletion`, `onError`, `tap`
 * @example
 * ```ts
 * import { createProxy } from './http-proxy.ts'
 * const server = createProxy({ upstream: 'http://127.0.0.1:8080/v1/', onCompletion: (c) => console.log(c.usage) })
 * server.listen(8787, '127.0.0.1')
 * ```
 */
export function createProxy(options: ProxyOptions): Server {
  const base = new URL(options.upstream)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  const onCompletion =
    options.onCompletion ?? ((completion) => console.log(JSON.stringify({ id: completion.id, usage: completion.usage ?? null })))
  const onError = options.onError ?? ((error) => console.error('proxy: the fold failed:', error))

  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const target = new URL((request.url ?? '/').replace(/^\/+/, ''), base)
    const headers = { ...request.headers }
    for (const name of DROPPED) delete headers[name]
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    const outgoing = send(target, { method: request.method, headers }, (upstream) => {
      const isEventStream = (upstream.headers['content-type'] ?? '').includes('text/event-stream')
      response.writeHead(upstream.statusCode ?? 502, upstream.headers)
      if (!isEventStream || (upstream.statusCode ?? 500) >= 300) {
        pipeline(upstream, response).catch(() => {})
        return
      }
      const tap: TapTransform = createTapTransform(options.tap)
      tap.finalChatCompletion().then(
        (completion) => onCompletion(completion, request),
        (error) => onError(error, request),
      )
      // The client going away rejects this pipeline; the fold reports it as `aborted`.
      pipeline(upstream, tap, response).catch(() => {})
    })
    outgoing.on('error', () => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' })
      response.end('{"error":{"message":"Upstream request failed","type":"gateway_error"}}')
    })
    pipeline(request, outgoing).catch(() => {})
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const upstream = process.env.UPSTREAM_URL
  if (!upstream) {
    console.error('Set UPSTREAM_URL to the base URL of an OpenAI-compatible API, such as http://127.0.0.1:8080/v1/')
    process.exit(2)
  }
  createProxy({ upstream }).listen(Number(process.env.PORT ?? 8787), '127.0.0.1')
}
