import { existsSync, readdirSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CliIO } from '../cli-io.js'
import { UsageError } from './usage-error.js'

/** An opened FILE or stdin. */
export interface Input {
  source: AsyncIterable<Uint8Array | string>
  /** `'stdin'` or the path as given, for messages. */
  label: string
}

const EXAMPLE_PREFIX = 'example:'

/**
 * The `examples/` directory shipped in the package, beside `dist/` (ESM and CJS builds alike); from the
 * sources (`src/internal/`, as tests and the TSDoc examples run them) it is one level further up.
 */
function examplesDir(): string {
  const here = dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url))
  const beside = join(here, '..', 'examples')
  return existsSync(beside) ? beside : join(here, '..', '..', 'examples')
}

/** The example streams shipped with the CLI, by name (`openai-text` for `examples/openai-text.sse`). */
export function exampleNames(): string[] {
  return readdirSync(examplesDir())
    .filter((name) => name.endsWith('.sse'))
    .map((name) => name.slice(0, -'.sse'.length))
    .sort()
}

/**
 * The path to read for FILE: `example:NAME` is one of the streams shipped in the package (so the
 * help's examples work wherever the CLI is installed); anything else resolves against the cwd.
 */
function resolvePath(file: string, io: CliIO): string {
  if (!file.startsWith(EXAMPLE_PREFIX)) return resolve(io.cwd ?? process.cwd(), file)
  const name = file.slice(EXAMPLE_PREFIX.length).replace(/\.sse$/, '')
  const names = exampleNames()
  if (!names.includes(name))
    throw new UsageError(`No example '${name}': the examples are ${names.map((n) => EXAMPLE_PREFIX + n).join(', ')}`)
  return join(examplesDir(), `${name}.sse`)
}

/**
 * Opens FILE for streaming (never read whole), or stdin for `-` and a missing FILE. A missing,
 * unreadable or directory FILE is a {@link UsageError}; so is reading stdin from a terminal when no
 * FILE was named (it would wait forever for input the user did not mean to type).
 */
export async function openInput(file: string | undefined, io: CliIO, usage: string): Promise<Input> {
  if (file === undefined || file === '-') {
    if (file === undefined && io.stdin.isTTY === true) {
      throw new UsageError(`No input: pass a FILE, or pipe a stream into stdin (usage is ${usage})`)
    }
    return { source: io.stdin, label: 'stdin' }
  }
  const path = resolvePath(file, io)
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new UsageError(describeOpenError(file, error))
  }
  const info = await handle.stat()
  if (info.isDirectory()) {
    await handle.close()
    throw new UsageError(`Cannot read '${file}': it is a directory (pass a recorded stream file)`)
  }
  return { source: handle.createReadStream(), label: file }
}

/** Reads a whole small file (a request body, a recording to replay), with the messages of {@link openInput}. */
export async function readSmallFile(file: string, io: CliIO): Promise<Buffer> {
  const path = resolvePath(file, io)
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new UsageError(describeOpenError(file, error))
  }
  try {
    if ((await handle.stat()).isDirectory()) throw new UsageError(`Cannot read '${file}': it is a directory`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Reads all of stdin as text (for `-d @-`). */
export async function readAll(source: AsyncIterable<Uint8Array | string>): Promise<string> {
  const decoder = new TextDecoder()
  const parts: string[] = []
  for await (const chunk of source) parts.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
  parts.push(decoder.decode())
  return parts.join('')
}

function describeOpenError(file: string, error: unknown): string {
  const code = (error as { code?: unknown }).code
  if (code === 'ENOENT') {
    return `Cannot read '${file}': no such file (commands are events, sse, fetch and replay; pass - to read stdin)`
  }
  if (code === 'EACCES' || code === 'EPERM') return `Cannot read '${file}': permission denied`
  return `Cannot read '${file}': ${error instanceof Error ? error.message : String(error)}`
}
