import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { version } from '../package.json'
import type { CliIO } from './cli-io.js'
import { parseArgs, type OptionSpecs, type ParsedArgs } from './internal/args.js'
import { CHAT_OPTIONS, completionCommand, eventsCommand } from './internal/commands/completion.js'
import { fetchCommand } from './internal/commands/fetch.js'
import { NORMALIZE_OPTIONS, normalizeCommand } from './internal/commands/normalize.js'
import { replayCommand } from './internal/commands/replay.js'
import { sseCommand } from './internal/commands/sse.js'
import { EXIT } from './internal/exit-code.js'
import { HELP } from './internal/help.js'
import { UsageError } from './internal/usage-error.js'

interface Command {
  options: OptionSpecs
  run(args: ParsedArgs, io: CliIO): Promise<number>
}

const COMMON: OptionSpecs = { help: { kind: 'flag', short: 'h' }, version: { kind: 'flag' } }

const COMMANDS: Record<string, Command> = {
  '': { options: { ...COMMON, ...CHAT_OPTIONS, native: { kind: 'flag' } }, run: completionCommand },
  events: { options: { ...COMMON, ...CHAT_OPTIONS, chunks: { kind: 'flag' } }, run: eventsCommand },
  sse: {
    options: { ...COMMON, stats: { kind: 'flag' }, comments: { kind: 'flag' }, 'max-event-bytes': { kind: 'value' } },
    run: sseCommand,
  },
  normalize: { options: { ...COMMON, ...NORMALIZE_OPTIONS }, run: normalizeCommand },
  fetch: {
    options: {
      ...COMMON,
      ...CHAT_OPTIONS,
      data: { kind: 'value', short: 'd' },
      header: { kind: 'list', short: 'H' },
      save: { kind: 'value' },
    },
    run: fetchCommand,
  },
  replay: {
    options: {
      ...COMMON,
      port: { kind: 'value', short: 'p' },
      host: { kind: 'value' },
      delay: { kind: 'value' },
      split: { kind: 'value' },
      seed: { kind: 'value' },
      'from-completion': { kind: 'flag' },
      'fragment-size': { kind: 'value' },
    },
    run: replayCommand,
  },
}

/**
 * Runs the `deltafold` command line and resolves with its exit code; it never calls `process.exit`
 * and reads and writes only through `io`, so it can be run in-process. Stream failures, usage errors
 * and HTTP failures are reported on `io.stderr` and turned into exit codes (0 complete, 2 bad usage,
 * 3 provider error, 4 malformed stream or not an event stream, 5 HTTP error status or failed connection, 1 anything else, 130 stopped).
 *
 * @param argv - the arguments after the program name (`process.argv.slice(2)`)
 * @param io - stdin, stdout, stderr, env, and optionally cwd and an abort signal (SIGINT)
 * @example
 * ```ts
 * import { Writable } from 'node:stream'
 * import { main } from '@deltafold/cli'
 * let json = ''
 * const stdout = new Writable({ write(chunk, _encoding, done) { json += chunk; done() } })
 * const code = await main(['example:openai-text'], { stdin: process.stdin, stdout, stderr: process.stderr, env: {} })
 * console.log(code, JSON.parse(json).choices[0].message.content)
 * ```
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const first = argv[0]
  const name = first !== undefined && Object.hasOwn(COMMANDS, first) && first !== '' ? first : first === 'help' ? 'help' : ''
  try {
    if (name === 'help') {
      const topic = argv[1] ?? ''
      if (!Object.hasOwn(HELP, topic)) throw new UsageError(`No help for '${topic}': commands are events, sse, fetch and replay`)
      io.stdout.write(HELP[topic]!)
      return EXIT.ok
    }
    if (name === '' && first !== undefined) rejectMistypedCommand(first, io)
    const command = COMMANDS[name]!
    const args = parseArgs(name === '' ? argv : argv.slice(1), command.options, name)
    if (args.flags.has('help')) {
      io.stdout.write(HELP[name]!)
      return EXIT.ok
    }
    if (args.flags.has('version')) {
      io.stdout.write(`${version}\n`)
      return EXIT.ok
    }
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`deltafold: ${error.message}\n`)
      return EXIT.usage
    }
    io.stderr.write(`deltafold: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return EXIT.failure
  }
}

/**
 * `deltafold evnts x.sse`: a first word that is no file but is one or two edits away from a
 * command is a mistyped command, not a FILE; say so rather than "no such file" or "unexpected
 * argument".
 */
function rejectMistypedCommand(word: string, io: CliIO): void {
  if (!/^[a-z][a-z-]*$/.test(word) || existsSync(resolve(io.cwd ?? process.cwd(), word))) return
  let best = ''
  let bestDistance = 3
  for (const name of [...Object.keys(COMMANDS), 'help']) {
    if (name === '') continue
    const distance = editDistance(word, name)
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  if (best !== '') throw new UsageError(`Unknown command '${word}': did you mean 'deltafold ${best}'? (a FILE of that name does not exist)`)
}

/** Levenshtein distance (insertions, deletions, substitutions), for short words. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
