import { performance } from 'node:perf_hooks'
import type { ChatCompletionStreamOptions } from '@deltafold/core'
import type { CliIO } from '../../cli-io.js'
import { atMostPositionals, integerOption, type OptionSpecs, type ParsedArgs } from '../args.js'
import { openInput } from '../input.js'
import { runCompletion } from '../run-completion.js'

/** Options shared by the commands that run the chat pipeline (default, events, fetch). */
export const CHAT_OPTIONS: OptionSpecs = {
  text: { kind: 'flag' },
  stats: { kind: 'flag' },
  'parse-arguments': { kind: 'flag' },
  strict: { kind: 'flag' },
  'max-event-bytes': { kind: 'value' },
}

/** The stream options the chat flags ask for. */
export function streamOptions(args: ParsedArgs): ChatCompletionStreamOptions {
  const options: ChatCompletionStreamOptions = {}
  if (args.flags.has('parse-arguments')) options.parseArguments = true
  if (args.flags.has('strict')) options.strict = true
  const maxEventBytes = integerOption(args, 'max-event-bytes', 1, Number.MAX_SAFE_INTEGER)
  if (maxEventBytes !== undefined) options.maxEventBytes = maxEventBytes
  return options
}

/** `deltafold [FILE|-]`: the final completion as pretty JSON; `--text` renders live on stderr. */
export async function completionCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const usage = 'deltafold [FILE|-] [options]'
  atMostPositionals(args, 1, usage)
  const options = streamOptions(args)
  const start = performance.now()
  const input = await openInput(args.positionals[0], io, usage)
  return runCompletion({
    source: input.source,
    mode: 'completion',
    text: args.flags.has('text') ? 'stderr' : 'none',
    stats: args.flags.has('stats'),
    chunks: false,
    options,
    network: false,
    start,
    io,
  })
}

/** `deltafold events [FILE|-]`: NDJSON of the typed events; `--text` renders on stdout instead. */
export async function eventsCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const usage = 'deltafold events [FILE|-] [options]'
  atMostPositionals(args, 1, usage)
  const options = streamOptions(args)
  const start = performance.now()
  const input = await openInput(args.positionals[0], io, usage)
  return runCompletion({
    source: input.source,
    mode: 'events',
    text: args.flags.has('text') ? 'stdout' : 'none',
    stats: args.flags.has('stats'),
    chunks: args.flags.has('chunks'),
    options,
    network: false,
    start,
    io,
  })
}
