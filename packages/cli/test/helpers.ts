import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const packageDir = fileURLToPath(new URL('..', import.meta.url))
export const cliPath = join(packageDir, 'dist', 'cli.js')
export const examples = join(packageDir, 'examples')
export const example = (name: string) => join(examples, name)

/**
 * Fails with a clear message when the CLI was not built, or was built before its sources last
 * changed: these tests run the real `dist/cli.js` in subprocesses.
 */
export function assertBuilt(): void {
  const build = 'run `pnpm build` at the root (or `cd packages/cli && ../../node_modules/.bin/tsup`) first'
  if (!existsSync(cliPath)) throw new Error(`packages/cli/dist/cli.js is missing: ${build}`)
  if (!existsSync(join(packageDir, '..', 'core', 'dist', 'index.js'))) {
    throw new Error(`packages/core/dist/index.js is missing (the CLI imports the built core): ${build}`)
  }
  const built = statSync(cliPath).mtimeMs
  const stale = listFiles(join(packageDir, 'src')).find((file) => statSync(file).mtimeMs > built)
  if (stale) throw new Error(`packages/cli/dist/cli.js is older than ${stale}: ${build}`)
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  )
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string | Buffer
  /** Added to a clean environment (no colour or API-key variables inherited). */
  env?: Record<string, string>
  cwd?: string
  timeout?: number
}

/** Environment for subprocesses: the parent's, minus anything that changes the CLI's behaviour. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'OPENAI_API_KEY', 'NODE_OPTIONS']) delete env[key]
  return { ...env, ...extra }
}

/** Runs `node dist/cli.js …args` to completion and collects its output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [cliPath, ...args], options)
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? packageDir,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeout ?? 20_000,
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
    )
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Runs the CLI under a pseudo-terminal (util-linux `script`), so that stdin, stdout and stderr are
 * all a TTY; both streams arrive merged on the returned stdout, with CRLF line ends.
 */
export function runCliInTerminal(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  const command = [process.execPath, cliPath, ...args].map(shellQuote).join(' ')
  return run('script', ['-qec', command, '/dev/null'], { env })
}

export const hasScript = existsSync('/usr/bin/script') || existsSync('/bin/script')

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** A `deltafold replay` subprocess and the URL it printed. */
export interface Replay {
  url: string
  child: ChildProcess
  /** Sends `signal` (once) and resolves with the exit code and everything it wrote on stderr. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stderr: string }>
}

/** Starts `deltafold replay FILE --port 0 …args` and waits for the URL on its first stdout line. */
export function startReplay(file: string, args: readonly string[] = []): Promise<Replay> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'replay', file, '--port', '0', ...args], {
      cwd: packageDir,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    // A signal was sent: a second one would make the CLI exit at once with 130.
    let stopping = false
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const lines = createInterface({ input: child.stdout })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`replay did not print its URL within 10 s; stderr: ${stderr}`))
    }, 10_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`replay exited with ${code} before printing its URL; stderr: ${stderr}`))
    })
    lines.once('line', (url) => {
      clearTimeout(timer)
      resolve({
        url,
        child,
        async stop(signal = 'SIGTERM') {
          if (!stopping && child.exitCode === null && child.signalCode === null) child.kill(signal)
          stopping = true
          const code = await exited
          return { code, stderr }
        },
      })
    })
  })
}
