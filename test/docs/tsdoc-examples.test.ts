// Every `@example` of the TSDoc in packages/*/src runs: extracted, type-checked under --strict against
// the sources, then run (fetch replays a recorded stream), and its `// 'Hello'` comments are
// assertions (a `console.log(x) // 'v'` or `x // v` line whose comment is a literal). See code-blocks.ts.
import { describe, expect, test } from 'vitest'
import { type CodeBlock, runBlock, sourceFiles, tsdocExamples, typeCheck, withAssertions } from './code-blocks.js'

const files = ['core', 'web', 'node', 'cli'].flatMap((p) => sourceFiles(`packages/${p}/src`))
const examples: CodeBlock[] = files.flatMap((file) => tsdocExamples(file))
const diagnostics = typeCheck(examples.filter((example) => example.check))

describe.each(examples.map((example) => [`${example.id} (${example.title})`, example] as const))('%s', (_, example) => {
  test.skipIf(!example.check)('type-checks under --strict', () => {
    expect(diagnostics.get(example.id)).toEqual([])
  })
  test.skipIf(!example.run)(
    'runs, and the values its comments state hold',
    async () => {
      await runBlock(example)
    },
    20_000,
  )
})

test('the sources carry examples, and the values their comments state become assertions', () => {
  expect(examples.length).toBeGreaterThan(20)
  const assertions = examples.filter((example) => example.run).reduce((sum, example) => sum + withAssertions(example.code).assertions, 0)
  console.log(`${examples.length} examples, ${assertions} stated values asserted`)
  expect(assertions).toBeGreaterThan(10)
})

test('a stated value that is wrong fails the example', async () => {
  const wrong: CodeBlock = {
    id: 'test/docs/wrong.ts:1',
    title: 'wrong',
    code: "console.log('Hel' + 'lo') // 'Help'",
    run: true,
    check: true,
  }
  await expect(runBlock(wrong)).rejects.toThrow("got 'Hello', the comment says 'Help'")
})
