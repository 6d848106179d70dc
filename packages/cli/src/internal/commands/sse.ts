import { performance } from 'node:perf_hooks'
import { createSSEDecoder, isDeltafoldError, type SSEDecoderHandlers } from '@deltafold/core'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, integerOption, type ParsedArgs } from '../args.js'
import { colorEnabled, createColors } from '../color.js'
import { EXIT } from '../exit-code.js'
import { openInput } from '../input.js'
import { createOutput } from '../output.js'
import { describeFailure } from '../run-completion.js'
import { createStats } from '../stats.js'

/**
 * `deltafold sse [FILE|-]`: every dispatched SSE event as `{"type","data","lastEventId"}`, retry
 * fields as `{"retry":N}`, comments as `{"comment":"…"}` with `--comments`. Streams: the input is
 * read in fixed-size pieces and each piece's lines are written before the next is read, so memory
 * does not depend on the input size (only on the largest event, bounded by `--max-event-bytes`).
 */
export async function sseCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const usage = 'deltafold sse [FILE|-] [options]'
  atMostPositionals(args, 1, usage)
  const maxEventBytes = integerOption(args, 'max-event-bytes', 1, Number.MAX_SAFE_INTEGER)
  const start = performance.now()
  const input = await openInput(args.positionals[0], io, usage)
  const stdout = createOutput(io.stdout)
  const stderr = createOutput(io.stderr)
  const colors = createColors(colorEnabled(stderr.isTTY, io.env))
  const stats = createStats(start, 'sse')

  const handlers: SSEDecoderHandlers = {
    onEvent(event) {
      stats.events++
      // Built from the three known fields, in the documented key order.
      stdout.push(JSON.stringify({ type: event.type, data: event.data, lastEventId: event.lastEventId }) + '\n')
    },
    onRetry(ms) {
      stdout.push(`{"retry":${ms}}\n`)
    },
  }
  if (args.flags.has('comments')) handlers.onComment = (text) => stdout.push(JSON.stringify({ comment: text }) + '\n')
  const decoder = createSSEDecoder(handlers, {
    // A recorded body often ends without its final blank line: show that event rather than drop it.
    dispatchUnterminated: true,
    ...(maxEventBytes === undefined ? {} : { maxEventBytes }),
  })

  let failure: unknown
  const iterator = input.source[Symbol.asyncIterator]()
  try {
    for (;;) {
      if (io.signal?.aborted) throw io.signal.reason
      const result = await iterator.next()
      if (result.done) break
      stats.bytes += typeof result.value === 'string' ? Buffer.byteLength(result.value) : result.value.byteLength
      decoder.feed(result.value)
      if (stdout.closed) break
      if (stdout.blocked) await stdout.ready()
    }
    if (!stdout.closed) decoder.end()
  } catch (error) {
    failure = error
  } finally {
    // Closes the file (or stops reading stdin) when we stopped early.
    await iterator.return?.()
  }
  if (stdout.closed) return EXIT.ok

  let code: number = EXIT.ok
  if (failure !== undefined) {
    code = io.signal?.aborted ? EXIT.interrupted : isDeltafoldError(failure) ? EXIT.malformed : EXIT.failure
    for (const line of describeFailure(failure, code)) stderr.push(colors.paint(colors.red, `deltafold: ${line}`) + '\n')
  }
  if (args.flags.has('stats')) stderr.push(colors.paint(colors.dim, `deltafold: ${stats.format()}`) + '\n')
  await Promise.all([stdout.end(), stderr.end()])
  return code
}
