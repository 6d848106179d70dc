// The Node side of the runtime matrix: finds each runtime's binary (shipped inside its npm package,
// never downloaded), runs it as a bounded subprocess, and reads the conformance result it prints.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const RUNTIMES_DIR = fileURLToPath(new URL('./', import.meta.url))
/** Scratch space for bundles and configs (`.tmp` is gitignored). */
export const TMP_DIR = join(RUNTIMES_DIR, '.tmp')
export const CORE_DIST = join(ROOT, 'packages/core/dist/index.js')
export const WEB_DIST = join(ROOT, 'packages/web/dist/index.js')

/** What runConformance() returns (see conformance.mjs), plus the runtime that ran it. */
export interface ConformanceResult {
  runtime?: string
  passed: number
  failed: number
  skipped: number
  failures: { name: string; message: string }[]
  skippedNames: string[]
}

const require = createRequire(import.meta.url)

/** The built dist both packages must have before any runtime can import it. */
export function assertBuilt(): void {
  for (const file of [CORE_DIST, WEB_DIST]) {
    if (!existsSync(file)) throw new Error(`Missing ${file}: run \`npx -y pnpm@10 build\` before the runtime matrix`)
  }
}

/**
 * Path of a runtime binary from its npm package (a root devDependency whose platform package ships
 * the executable as an optional dependency), or `undefined` when it is not installed. `DENO_BIN`,
 * `BUN_BIN`, `WORKERD_BIN` and `CHROMIUM_BIN` override the lookup.
 */
export function findBinary(name: 'deno' | 'bun' | 'workerd' | 'chromium'): string | undefined {
  const override = process.env[`${name.toUpperCase()}_BIN`]
  if (override) return existsSync(override) ? override : undefined
  try {
    switch (name) {
      case 'deno': {
        // The platform package is a dependency of `deno`, so it resolves from there.
        const fromDeno = createRequire(require.resolve('deno/package.json'))
        const target = process.platform === 'linux' ? `linux-${process.arch}-glibc` : `${process.platform}-${process.arch}`
        return existing(join(dirname(fromDeno.resolve(`@deno/${target}/package.json`)), process.platform === 'win32' ? 'deno.exe' : 'deno'))
      }
      case 'bun': {
        // `bun`'s own bin is a stub until its (blocked) postinstall runs: use the platform binary.
        const fromBun = createRequire(require.resolve('bun/package.json'))
        const platform = process.platform === 'win32' ? 'windows' : process.platform
        return existing(
          join(
            dirname(fromBun.resolve(`@oven/bun-${platform}-${process.arch}/package.json`)),
            'bin',
            process.platform === 'win32' ? 'bun.exe' : 'bun',
          ),
        )
      }
      case 'workerd':
        // The `workerd` package's main export is the path of the platform binary.
        return existing(require('workerd').default as string)
      case 'chromium':
        // Debian's package, installed by .ci/run; never a downloaded browser build.
        return existing('/usr/bin/chromium')
    }
  } catch {
    return undefined
  }
}

function existing(path: string): string | undefined {
  return existsSync(path) ? path : undefined
}

/**
 * The binary, or `undefined` to skip its tests on a developer machine without it. In CI
 * (`process.env.CI`) a missing binary throws, so the matrix fails instead of silently shrinking.
 */
export function binaryOrSkip(name: 'deno' | 'bun' | 'workerd' | 'chromium'): string | undefined {
  const path = findBinary(name)
  if (path) return path
  const message = `The ${name} binary is missing: run \`npx -y pnpm@10 install\`${name === 'chromium' ? ' and `apt-get install chromium`' : ''}`
  if (process.env.CI) throw new Error(`${message} (CI must run every runtime of the matrix)`)
  console.warn(`SKIPPED the ${name} leg of the runtime matrix. ${message}`)
  return undefined
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
  timedOut: boolean
}

/** Runs a command to completion, killing it (SIGKILL, by its pid) after `timeoutMs`. Never throws. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 30_000)
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started), timedOut })
    }
    child.on('error', (error) => {
      stderr += String(error)
      finish(null, null)
    })
    child.on('close', finish)
  })
}

/** The `RESULT {json}` line a runner prints last. */
export function parseResult(output: string): ConformanceResult {
  const line = output.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`The runner printed no RESULT line:\n${output.slice(-2000)}`)
  return JSON.parse(line.slice('RESULT '.length)) as ConformanceResult
}

/** A readable one-paragraph account of a result, for assertion messages and the test log. */
export function describeResult(result: ConformanceResult): string {
  const lines = [
    `conformance on ${result.runtime ?? 'a runtime'}: passed ${result.passed}, failed ${result.failed}, skipped ${result.skipped}`,
  ]
  for (const failure of result.failures) lines.push(`  FAIL ${failure.name}: ${failure.message}`)
  for (const name of result.skippedNames) lines.push(`  SKIP ${name}`)
  return lines.join('\n')
}

/** Env that keeps the runtimes quiet and offline: no update checks, no prompts, no telemetry. */
export const QUIET_ENV: Record<string, string> = {
  DENO_NO_UPDATE_CHECK: '1',
  DENO_NO_PROMPT: '1',
  DO_NOT_TRACK: '1',
}

/**
 * Runs test/runtimes/run-conformance.mjs with `command` and returns its result, failing with the
 * runner's output when it printed none or exited non-zero.
 */
export async function runConformanceRunner(
  command: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<ConformanceResult & { ms: number }> {
  const ran = await run(command, [...args, join(RUNTIMES_DIR, 'run-conformance.mjs')], { env: QUIET_ENV, timeoutMs })
  const output = `${ran.stdout}\n${ran.stderr}`
  if (ran.timedOut) throw new Error(`${command} timed out after ${timeoutMs} ms:\n${output.slice(-2000)}`)
  const result = parseResult(ran.stdout)
  if (ran.code !== 0 && result.failed === 0) throw new Error(`${command} exited with ${ran.code}:\n${output.slice(-2000)}`)
  return { ...result, ms: ran.ms }
}

/** Asserts a runtime's result: no failure, no skipped web case, and the suite really ran. */
export function checkResult(result: ConformanceResult, fixtureCount: number): void {
  const account = describeResult(result)
  console.log(account)
  if (result.failed > 0 || result.failures.length > 0) throw new Error(account)
  if (result.skippedNames.length > 0) throw new Error(`Every @deltafold/web case must run:\n${account}`)
  if (result.passed < fixtureCount + 20) throw new Error(`Too few cases ran:\n${account}`)
}
