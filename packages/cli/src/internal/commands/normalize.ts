import { createChatCompletionNormalizer, isDeltafoldError, type ChatCompletionNormalizerOptions } from '@deltafold/core'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, integerOption, type OptionSpecs, type ParsedArgs } from '../args.js'
import { colorEnabled, createColors } from '../color.js'
import { EXIT, exitCodeFor } from '../exit-code.js'
import { openInput } from '../input.js'
import { formatOption } from './completion.js'
import { createOutput } from '../output.js'
import { describeFailure } from '../run-completion.js'
import { UsageError } from '../usage-error.js'

/** The options of `deltafold normalize`, besides --help and --version. */
export const NORMALIZE_OPTIONS: OptionSpecs = {
  'reasoning-field': { kind: 'value' },
  'max-event-bytes': { kind: 'value' },
  'fail-closed': { kind: 'flag' },
  format: { kind: 'value' },
}

/** `deltafold normalize --help`. */
export const NORMALIZE_HELP = `deltafold normalize - rewrite any OpenAI-compatible, Responses or Anthropic stream as a canonical OpenAI stream

Usage
  deltafold normalize [FILE|-] [options]

Writes the canonical chat.completion.chunk SSE stream to stdout as the input is read: stable
id/created/model, a choice index and a role on every choice, tool calls numbered 0, 1, ... with
their id, type and name once, reasoning under one field, a finish_reason for every choice, usage in
a last usage-only chunk, then data: [DONE]. A provider error is written as data: {"error": ...}
after what came before it (exit 3). Strict OpenAI clients (the openai package) read the result.
Memory is constant in the size of the input but for the completion held to check each chunk.
An OpenAI Responses API or Anthropic Messages stream is detected from its first event and translated
as it arrives (text, reasoning, tool calls, finish reason, usage): a gateway's canonical output.

Options
  --reasoning-field F    reasoning_content (default) or reasoning
  --fail-closed          on a malformed stream stop the output and exit 4, instead of ending it
                         with an {"error": {"type": "invalid_stream"}} event (also exit 4)
  --max-event-bytes N    largest SSE event accepted (default 16777216)
  --format F             the input's wire format: auto (default: detected from the first event),
                         chat, responses or anthropic (another format is then an error, exit 4)

Examples
  deltafold normalize examples/deepseek-reasoning-tool-call.sse
  cat capture.sse | deltafold normalize - --reasoning-field reasoning > canonical.sse
  deltafold normalize anthropic-capture.sse | deltafold --text
`

/**
 * `deltafold normalize [FILE|-]`: core's `createChatCompletionNormalizer` from the input to stdout,
 * piece by piece with backpressure. Exit codes as for the fold: 3 for a provider error, 4 for a
 * malformed stream (the output then ends with an error event, or stops with `--fail-closed`).
 */
export async function normalizeCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const usage = 'deltafold normalize [FILE|-] [options]'
  atMostPositionals(args, 1, usage)
  const options: ChatCompletionNormalizerOptions = { failClosed: args.flags.has('fail-closed'), format: formatOption(args) }
  const field = args.values.get('reasoning-field')
  if (field !== undefined) {
    if (field !== 'reasoning_content' && field !== 'reasoning') {
      throw new UsageError(`--reasoning-field must be reasoning_content or reasoning, got '${field}'`)
    }
    options.reasoningField = field
  }
  const maxEventBytes = integerOption(args, 'max-event-bytes', 1, Number.MAX_SAFE_INTEGER)
  if (maxEventBytes !== undefined) options.maxEventBytes = maxEventBytes
  const input = await openInput(args.positionals[0], io, usage)
  const stdout = createOutput(io.stdout)
  const stderr = createOutput(io.stderr)
  const colors = createColors(colorEnabled(stderr.isTTY, io.env))
  const normalizer = createChatCompletionNormalizer(options)

  let failure: unknown
  const iterator = input.source[Symbol.asyncIterator]()
  try {
    for (;;) {
      if (io.signal?.aborted) throw io.signal.reason
      const result = await iterator.next()
      if (result.done) break
      stdout.push(normalizer.feed(result.value))
      if (stdout.closed || normalizer.done) break
      if (stdout.blocked) await stdout.ready()
    }
    if (!stdout.closed) stdout.push(normalizer.end())
  } catch (error) {
    failure = error
  } finally {
    await iterator.return?.()
  }
  if (stdout.closed) return EXIT.ok
  failure ??= normalizer.failure
  let code: number = EXIT.ok
  if (failure !== undefined) {
    code = io.signal?.aborted ? EXIT.interrupted : isDeltafoldError(failure) ? exitCodeFor(failure, false) : EXIT.failure
    for (const line of describeFailure(failure, code)) stderr.push(colors.paint(colors.red, `deltafold: ${line}`) + '\n')
  }
  await Promise.all([stdout.end(), stderr.end()])
  return code
}
