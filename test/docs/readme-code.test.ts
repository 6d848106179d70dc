// "A README that runs": every TypeScript block of README.md and packages/*/README.md is type-checked
// under --strict against the sources and, unless marked ```ts no-run (it needs a real server or
// socket), run: `fetch` replays a recorded stream locally and `// 'value'` comments are assertions.
// See code-blocks.ts for the rules.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { type CodeBlock, markdownBlocks, ROOT, runBlock, typeCheck } from './code-blocks.js'

const FILES = ['README.md', 'packages/core/README.md', 'packages/web/README.md', 'packages/node/README.md', 'packages/cli/README.md']

/**
 * Blocks that do not compile today (free names such as `response`, `url`, `key`, `render`), in
 * sections being rewritten on other branches: each runs as an expected failure, so the entry must go
 * as soon as its block is fixed (the test then fails and says so). Key: `file#heading`.
 */
const KNOWN_FAILING = new Set([
  'README.md#Adapters',
  'README.md#Encoding streams',
  'packages/core/README.md#@deltafold/core',
  'packages/web/README.md#@deltafold/web',
  'packages/web/README.md#TransformStream pipeline',
  'packages/node/README.md#Transforms for `pipeline()`',
])

const blocks: CodeBlock[] = FILES.flatMap((file) => markdownBlocks(file))
const diagnostics = typeCheck(blocks.filter((block) => block.check))
const keyOf = (block: CodeBlock) => `${block.id.replace(/:\d+$/, '')}#${block.title}`

describe.each(blocks.map((block) => [`${block.id} (${block.title})`, block] as const))('%s', (_, block) => {
  const known = KNOWN_FAILING.has(keyOf(block))
  test.skipIf(known || !block.check)('type-checks under --strict', () => {
    expect(diagnostics.get(block.id)).toEqual([])
  })
  test.skipIf(known || !block.run)(
    'runs without throwing, and its stated values hold',
    async () => {
      await runBlock(block)
    },
    20_000,
  )
  test.runIf(known)('known failure, listed in KNOWN_FAILING: still fails to type-check', () => {
    expect(diagnostics.get(block.id)).not.toEqual([])
  })
})

test('every KNOWN_FAILING entry names a block that exists', () => {
  const keys = new Set(blocks.map(keyOf))
  expect([...KNOWN_FAILING].filter((key) => !keys.has(key))).toEqual([])
})

test('the READMEs have TypeScript blocks, and the Quick start is among those that run', () => {
  expect(blocks.length).toBeGreaterThan(8)
  const quickStart = blocks.find((block) => block.id.startsWith('README.md:') && block.title === 'Quick start')
  expect(quickStart?.run).toBe(true)
})

test.each(['core', 'web', 'node'])('the @deltafold/%s README names every runtime export of its index.ts', (name) => {
  const index = readFileSync(`${ROOT}packages/${name}/src/index.ts`, 'utf8')
  const values = [...index.matchAll(/^export \{([^}]*)\}/gm)]
    .flatMap((m) => m[1]!.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('type '))
    .map((item) => item.split(/\s+as\s+/).at(-1)!)
  expect(values.length).toBeGreaterThan(3)
  const readme = readFileSync(`${ROOT}packages/${name}/README.md`, 'utf8')
  expect(values.filter((value) => !readme.includes(`\`${value}`))).toEqual([])
})
