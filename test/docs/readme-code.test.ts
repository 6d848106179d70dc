// "A README that runs": every TypeScript block of README.md and packages/*/README.md is type-checked
// under --strict against the sources and, unless marked ```ts no-run (it needs a real server or
// socket), run: `fetch` replays a recorded stream locally and `// 'value'` comments are assertions.
// See code-blocks.ts for the rules.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { type CodeBlock, markdownBlocks, ROOT, runBlock, typeCheck } from './code-blocks.js'

const FILES = ['README.md', 'packages/core/README.md', 'packages/web/README.md', 'packages/node/README.md', 'packages/cli/README.md']

const blocks: CodeBlock[] = FILES.flatMap((file) => markdownBlocks(file))
const diagnostics = typeCheck(blocks.filter((block) => block.check))

describe.each(blocks.map((block) => [`${block.id} (${block.title})`, block] as const))('%s', (_, block) => {
  test.skipIf(!block.check)('type-checks under --strict', () => {
    expect(diagnostics.get(block.id)).toEqual([])
  })
  test.skipIf(!block.run)(
    'runs without throwing, and its stated values hold',
    async () => {
      await runBlock(block)
    },
    20_000,
  )
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
