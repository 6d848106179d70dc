/**
 * A Cloudflare Worker in front of an OpenAI-compatible API that logs every streamed completion
 * without touching the stream. The upstream body is piped through a `ChatCompletionTapStream`: each
 * chunk goes to the client first, unchanged, and is folded after; `ctx.waitUntil()` keeps the worker
 * alive after the response ended until the completion is logged. A malformed stream or a provider
 * error never breaks the client's response (fail-open): the log entry then carries the typed error
 * and the partial completion.
 *
 * The log entry is POSTed to `LOG_URL` as JSON (a log sink, a queue consumer, an analytics
 * endpoint); without `LOG_URL` it is written with `console.log`.
 *
 * wrangler.toml: `main = "cloudflare-worker.ts"`, `[vars] UPSTREAM_URL = "https://api.openai.com/v1/"`.
 * test/runtimes/workerd-gateway.test.ts runs this file in workerd.
 */
import { ChatCompletionTapStream } from '@deltafold/web'

/** The worker's bindings. */
export interface Env {
  /** Base URL of the upstream API, ending with `/` (`https://api.openai.com/v1/`). */
  UPSTREAM_URL: string
  /** Where log entries are POSTed; without it they go to `console.log`. */
  LOG_URL?: string
}

/** The part of Cloudflare's `ExecutionContext` the worker uses. */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void
}

/** One log entry per streamed exchange. */
export type LogEntry =
  | { path: string; status: number; ok: true; id: string; model: string; finish: Array<string | null>; usage: unknown; completion: unknown }
  | { path: string; status: number; ok: false; error: { code: string | undefined; message: string }; partial: unknown }

const DROPPED_REQUEST_HEADERS = ['host', 'content-length', 'accept-encoding']

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url)
    const target = new URL(url.pathname.replace(/^\/+/, '') + url.search, env.UPSTREAM_URL)
    const headers = new Headers(request.headers)
    for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name)
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer()
    const upstream = await fetch(target, { method: request.method, headers, body })
    const isEventStream = (upstream.headers.get('content-type') ?? '').includes('text/event-stream')
    if (!upstream.ok || upstream.body === null || !isEventStream) return upstream

    const tap = new ChatCompletionTapStream()
    const log = (entry: LogEntry): Promise<unknown> =>
      env.LOG_URL === undefined
        ? Promise.resolve(console.log(JSON.stringify(entry)))
        : fetch(env.LOG_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(entry) })
    ctx.waitUntil(
      tap.finalChatCompletion().then(
        (completion) =>
          log({
            path: url.pathname,
            status: upstream.status,
            ok: true,
            id: completion.id,
            model: completion.model,
            finish: completion.choices.map((choice) => choice.finish_reason),
            usage: completion.usage ?? null,
            completion,
          }),
        (error: { code?: string; message?: string; partial?: unknown }) =>
          log({
            path: url.pathname,
            status: upstream.status,
            ok: false,
            error: { code: error.code, message: String(error.message) },
            partial: error.partial ?? null,
          }),
      ),
    )
    return new Response(upstream.body.pipeThrough(tap), upstream)
  },
}
