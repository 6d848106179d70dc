import { checkResponse, isDeltafoldError, ProviderError } from '@deltafold/core'
import type { CliIO } from '../cli-io.js'
import { colorEnabled, createColors } from './color.js'
import { EXIT } from './exit-code.js'
import { describeFailure, runCompletion, type CompletionRun } from './run-completion.js'

/** A response to fold: from `fetch`, or rebuilt from a `curl -i` head and the body after it. */
export interface ResponseRun extends Omit<CompletionRun, 'source'> {
  response: Response
  /** Where it came from, for messages: `POST https://…` or the FILE name. */
  origin: string
}

/**
 * Checks the response as core's `checkResponse` does, then folds its body. A non-2xx status exits 5
 * with the status and the body on stderr; a provider's JSON error exits 3 with its message; a body
 * that is not an event stream exits 4 with what it was and a hint.
 */
export async function runResponse(run: ResponseRun): Promise<number> {
  const { response, io, origin } = run
  const colors = createColors(colorEnabled(io.stderr.isTTY === true, io.env))
  try {
    await checkResponse(response, io.signal)
  } catch (error) {
    if (!isDeltafoldError(error)) throw error
    return reportRejected(error, response, origin, io, colors)
  }
  if (response.body === null) {
    io.stderr.write(colors.paint(colors.red, `deltafold: HTTP ${response.status} from ${origin} has no body`) + '\n')
    return EXIT.http
  }
  return runCompletion({ ...run, source: readBody(response.body) })
}

function reportRejected(
  error: Error & { code: string },
  response: Response,
  origin: string,
  io: CliIO,
  colors: ReturnType<typeof createColors>,
): number {
  const red = (line: string) => io.stderr.write(colors.paint(colors.red, `deltafold: ${line}`) + '\n')
  const status = error instanceof ProviderError && error.status !== undefined ? error.status : response.status
  const statusLine = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''} from ${origin}`
  const detail = error instanceof ProviderError ? error.error : undefined
  const body = typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)
  if (!response.ok) {
    red(`${statusLine}: ${error.message}`)
    io.stderr.write(`deltafold: body:\n${body ?? ''}\n`)
    return EXIT.http
  }
  if (error.code === 'upstream_error') {
    for (const line of describeFailure(error, EXIT.provider)) red(line)
    return EXIT.provider
  }
  // A 2xx whose body is not an event stream (a JSON body, HTML, text): the request was probably not streamed.
  red(
    `not an event stream: ${statusLine} (content-type ${JSON.stringify(response.headers.get('content-type') ?? '')}): ${error.message} [${error.code}]`,
  )
  io.stderr.write('deltafold: hint: did the request set "stream": true? (deltafold reads the body of a streamed response)\n')
  return EXIT.malformed
}

/** The response body as an async iterable; returning early cancels the request. */
async function* readBody(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = body.getReader()
  // The body was read to its end: nothing to cancel.
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield value
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/** A `ReadableStream` over an async iterable of bytes or strings (for a `Response` built from a FILE). */
export function toReadableStream(source: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next()
      if (next.done) controller.close()
      else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value)
    },
    async cancel() {
      await iterator.return?.()
    },
  })
}
