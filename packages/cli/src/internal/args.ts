import { UsageError } from './usage-error.js'

/** How one option is written and read. */
export interface OptionSpec {
  /** `flag` takes no value, `value` takes one, `list` takes one and may repeat. */
  kind: 'flag' | 'value' | 'list'
  /** A one-letter alias such as `d` for `-d`. */
  short?: string
}

/** The options a command accepts, keyed by long name without the dashes. */
export type OptionSpecs = Record<string, OptionSpec>

/** The parsed command line of one command. */
export interface ParsedArgs {
  positionals: string[]
  flags: Set<string>
  values: Map<string, string>
  lists: Map<string, string[]>
}

/**
 * Parses `argv` (after the command name) against `specs`: `--name`, `--name value`, `--name=value`,
 * `-x value`, `-xvalue`, `--` to end options, and `-` as a positional (stdin). Anything unknown is
 * a {@link UsageError} naming the command's help.
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs, command: string): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), lists: new Map() }
  const byShort = new Map<string, string>()
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name)
  const help = command === '' ? "'deltafold --help'" : `'deltafold ${command} --help'`
  // Everything after `--` is positional, even when it starts with a dash.
  let optionsEnded = false

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (optionsEnded || arg === '-' || !arg.startsWith('-')) {
      parsed.positionals.push(arg)
      continue
    }
    if (arg === '--') {
      optionsEnded = true
      continue
    }
    let name: string
    let inline: string | undefined
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      if (eq !== -1) inline = arg.slice(eq + 1)
    } else {
      const long = byShort.get(arg[1]!)
      if (long === undefined) throw new UsageError(`Unknown option '${arg}': see ${help}`)
      name = long
      if (arg.length > 2) inline = arg.slice(2)
    }
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined
    if (spec === undefined) throw new UsageError(`Unknown option '--${name}': see ${help}`)
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`Option '--${name}' takes no value: see ${help}`)
      parsed.flags.add(name)
      continue
    }
    let value = inline
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`Option '--${name}' needs a value: see ${help}`)
      value = argv[++i]!
    }
    if (spec.kind === 'value') {
      if (parsed.values.has(name)) throw new UsageError(`Option '--${name}' was given twice: see ${help}`)
      parsed.values.set(name, value)
    } else {
      const list = parsed.lists.get(name)
      if (list) list.push(value)
      else parsed.lists.set(name, [value])
    }
  }
  return parsed
}

/**
 * Reads an integer option between `min` and `max`, or returns `fallback` when it is absent.
 */
export function integerOption(args: ParsedArgs, name: string, min: number, max: number, fallback: number): number
export function integerOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined
export function integerOption(args: ParsedArgs, name: string, min: number, max: number, fallback?: number): number | undefined {
  const raw = args.values.get(name)
  if (raw === undefined) return fallback
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`Option '--${name}' must be an integer from ${min} to ${max}, got '${raw}'`)
  }
  return value
}

/** Throws a {@link UsageError} when more positionals were given than the command takes. */
export function atMostPositionals(args: ParsedArgs, count: number, usage: string): void {
  if (args.positionals.length > count) {
    throw new UsageError(`Unexpected argument '${args.positionals[count]!}': usage is ${usage}`)
  }
}
