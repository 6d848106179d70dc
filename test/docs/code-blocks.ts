// Code in the documentation, checked like code: TypeScript blocks of the READMEs and the `@example`
// blocks of the TSDoc are extracted, type-checked together under `--strict` (with the repository's
// own compiler options, `@deltafold/*` resolved to the package sources), and run where they can be.
//
// Running: each block is written as a module under test/docs/.tmp and imported (vitest compiles it),
// with `@deltafold/*` rewritten to the sources, in the directory of the block's package. `fetch` is replaced, for the run only, by a local
// replay of a recorded OpenAI stream, so blocks that call a real API run offline. A line
// `console.log(x) // 'Hello'` or `x // { a: 1 }`, where the comment is a literal, becomes an
// assertion that `x` deep-equals it. Info strings: ```ts no-run (type-checked only: the block needs a
// server, a socket or a terminal), ```ts no-check (neither: a fragment that shows a shape, not code).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isDeepStrictEqual, inspect } from 'node:util'
import ts from 'typescript'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TMP = join(ROOT, 'test/docs/.tmp')
const PACKAGES = ['core', 'web', 'node', 'cli'] as const

export interface CodeBlock {
  /** `README.md:25` or `packages/core/src/errors.ts:40`: where the block starts. */
  id: string
  /** The nearest heading (Markdown) or the documented symbol (TSDoc). */
  title: string
  code: string
  run: boolean
  check: boolean
}

/** The ```ts / ```typescript blocks of a Markdown file. */
export function markdownBlocks(path: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, path), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '')
    const fence = /^```(\S*)\s*(.*)$/.exec(line)
    if (!fence) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
    const lang = fence[1]!
    if (lang === 'ts' || lang === 'typescript') {
      const flags = fence[2]!.split(/\s+/)
      blocks.push({
        id: `${path}:${i + 1}`,
        title: heading,
        code: lines.slice(i + 1, end).join('\n'),
        run: !flags.includes('no-run') && !flags.includes('no-check'),
        check: !flags.includes('no-check'),
      })
    }
    i = end
  }
  return blocks
}

/** The ```ts blocks inside `@example` tags of the TSDoc comments of a source file. */
export function tsdocExamples(path: string): CodeBlock[] {
  const text = readFileSync(join(ROOT, path), 'utf8')
  const blocks: CodeBlock[] = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split('\n').map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, ''))
    const startLine = text.slice(0, comment.index).split('\n').length
    const after = text
      .slice(comment.index! + comment[0].length)
      .match(/^\s*(?:export\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type|readonly)?\s*([\w$#]+)/)
    let inExample = false
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (line.startsWith('@')) inExample = line.startsWith('@example')
      const fence = /^```(\S*)\s*(.*)$/.exec(line)
      if (!inExample || !fence) continue
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
      if (fence[1] === 'ts' || fence[1] === 'typescript') {
        const flags = fence[2]!.split(/\s+/)
        blocks.push({
          id: `${path}:${startLine + i}`,
          title: after?.[1] ?? '',
          code: lines.slice(i + 1, end).join('\n'),
          run: !flags.includes('no-run') && !flags.includes('no-check'),
          check: !flags.includes('no-check'),
        })
      }
      i = end
    }
  }
  return blocks
}

/** Every `.ts` file under a directory, relative to the repository root. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort()
}

const virtualName = (block: CodeBlock) => join(TMP, `${block.id.replace(/[^\w]+/g, '_')}.ts`)

/**
 * Type-checks the blocks in one program under the repository's compiler options (strict,
 * noUncheckedIndexedAccess, exactOptionalPropertyTypes) and returns the diagnostics per block id.
 * Each block is its own module, so top-level `await` works and names do not collide.
 */
export function typeCheck(blocks: readonly CodeBlock[]): Map<string, string[]> {
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config
  const { options } = ts.convertCompilerOptionsFromJson(base.compilerOptions, ROOT)
  Object.assign(options, {
    noEmit: true,
    strict: true,
    baseUrl: ROOT,
    paths: Object.fromEntries(PACKAGES.map((p) => [`@deltafold/${p}`, [`./packages/${p}/src/index.ts`]])),
  })
  const files = new Map(blocks.map((block) => [virtualName(block), `${block.code}\nexport {}\n`]))
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (name, version, onError, create) => {
    const text = files.get(name)
    return text === undefined ? getSourceFile(name, version, onError, create) : ts.createSourceFile(name, text, version, true)
  }
  const fileExists = host.fileExists
  host.fileExists = (name) => files.has(name) || fileExists(name)
  const readFile = host.readFile
  host.readFile = (name) => files.get(name) ?? readFile(name)
  const program = ts.createProgram([...files.keys()], options, host)
  const byFile = new Map(blocks.map((block) => [virtualName(block), block.id]))
  const result = new Map<string, string[]>(blocks.map((block) => [block.id, []]))
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const id = diagnostic.file ? byFile.get(diagnostic.file.fileName) : undefined
    if (id === undefined) continue // the sources themselves are checked by `pnpm typecheck`
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    result.get(id)!.push(`line ${line + 1}: TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`)
  }
  return result
}

/** The literal a comment states, when it is one (`'Hello'`, `{ a: 1 }`, `[1, 2]`, `true`, `42`). */
function statedValue(comment: string): { source: string } | undefined {
  const source = comment.trim()
  if (!/^(['"`{[\d-]|true\b|false\b|null\b|undefined\b)/.test(source)) return undefined
  try {
    new Function(`'use strict'; return (${source})`)() // a literal evaluates in an empty scope
    return { source }
  } catch {
    return undefined
  }
}

/** Rewrites `console.log(x) // 'v'` and `x // 'v'` lines into assertions; returns the code and their count. */
export function withAssertions(code: string): { code: string; assertions: number } {
  let assertions = 0
  const lines = code.split('\n').map((line, index) => {
    const match = /^(\s*)(.*?\S)\s*\/\/ (.*)$/.exec(line)
    if (!match || match[2]!.includes('//')) return line
    const value = statedValue(match[3]!)
    if (!value) return line
    let expression = match[2]!
    const log = /^console\.log\((.*)\)$/.exec(expression)
    if (log) expression = log[1]!
    else if (/^(const|let|var|import|export|return|if|for|while)\b|[;{}]$|^[\w$.]+\s*=[^=]/.test(expression)) return line
    assertions++
    return `${match[1]};(globalThis as any).__docExpect(${expression}, ${value.source}, ${index + 1})`
  })
  return { code: lines.join('\n'), assertions }
}

/** A local replay of a recorded OpenAI stream, standing in for `fetch` while a block runs. */
function replayFetch(): typeof fetch {
  const body = readFileSync(join(ROOT, 'test/fixtures/recorded/openai-node/gpt-4o-leading-newline-content.sse'))
  return async (input) => {
    const url = String(input instanceof Request ? input.url : input)
    if (!/^https?:/.test(url)) throw new TypeError(`fetch in a doc block: ${url}`)
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
  }
}

/** Runs a block: writes it (with assertions, `@deltafold/*` pointing at the sources) and imports it. */
export async function runBlock(block: CodeBlock): Promise<{ assertions: number; output: string[] }> {
  const file = virtualName(block)
  mkdirSync(dirname(file), { recursive: true })
  const { code, assertions } = withAssertions(block.code)
  const resolved = code.replace(/(['"])@deltafold\/(core|web|node|cli)\1/g, (_, q: string, p: string) =>
    JSON.stringify(pathToFileURL(join(ROOT, `packages/${p}/src/index.ts`)).href).replace(/"/g, q),
  )
  writeFileSync(file, `${resolved}\nexport {}\n`)
  const output: string[] = []
  const saved = { fetch: globalThis.fetch, log: console.log, write: process.stdout.write, cwd: process.cwd() }
  // A package's example runs in the package's directory (the CLI's reads its shipped examples/).
  const packageDir = /^packages\/[\w-]+\//.exec(block.id)?.[0]
  if (packageDir) process.chdir(join(ROOT, packageDir))
  const failures: string[] = []
  Object.assign(globalThis, {
    fetch: replayFetch(),
    __docExpect: (actual: unknown, expected: unknown, line: number) => {
      if (!isDeepStrictEqual(actual, expected)) failures.push(`line ${line}: got ${inspect(actual)}, the comment says ${inspect(expected)}`)
    },
  })
  console.log = (...args: unknown[]) => void output.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '))
  process.stdout.write = ((chunk: string | Uint8Array) => output.push(String(chunk)) > 0) as typeof process.stdout.write
  try {
    await import(`${pathToFileURL(file).href}?t=${Date.now()}`)
  } finally {
    Object.assign(globalThis, { fetch: saved.fetch })
    process.chdir(saved.cwd)
    console.log = saved.log
    process.stdout.write = saved.write
  }
  if (failures.length > 0) throw new Error(`${block.id} (${block.title}):\n${failures.join('\n')}`)
  return { assertions, output }
}
