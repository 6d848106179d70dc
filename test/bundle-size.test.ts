// Bundle budget: what an application pays for each entry point of the built @deltafold/core, bundled,
// tree-shaken and minified by esbuild, then gzipped (level 9). Each ceiling sits about 15-20% above
// the size measured when it was set: growing past one is a decision to make, by raising the constant
// in the same change with the reason. eventsource-parser's `createParser`, measured the same way, is
// the reference for the SSE decoder alone (README, "Bundle size").
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { beforeAll, describe, expect, test } from 'vitest'

const CORE_DIST = fileURLToPath(new URL('../packages/core/dist/index.js', import.meta.url))
const WEB_DIST = fileURLToPath(new URL('../packages/web/dist/index.js', import.meta.url))
/** eventsource-parser resolves from here (a devDependency of this workspace package). */
const RESOLVE_DIR = fileURLToPath(new URL('.', import.meta.url))

// Ceilings sit ~10% above the measured size. Raised once, on purpose, when two features landed:
// the chunk fast path (+3.1 KB gzip in the accumulator entry: the template matcher that takes the
// chat-text stream past 1.8x the JSON.parse floor) and the class-based SSE decoder (+0.6 KB: UTF-8
// boundary handling and the ASCII decode path that make it faster than eventsource-parser). Before:
// every export 18,400 (measured 15,714), decoder 2,550 (2,167), accumulateChatCompletion 14,200 (12,125).
// Raised for the two new wire formats and the gateway toolkit (issues 14, 15): the Anthropic Messages
// fold and translator measured +5.7 KB, the Responses fold and translator +5.6 KB, the tap and normalizers +3.1 KB (the tap alone bundles to
// 15,684, createChatCompletionNormalizer to 14,742: mostly the accumulator they share). Per-entry
// budgets below are what an edge function pays; this row only catches accidental growth of the whole.
/** Gzipped bytes; measured: 41,517 (core with every export, three formats and the gateway engines). Before these formats: 20,336, ceiling 22,400. */
const CORE_ALL_GZIP_CEILING = 43_500
/**
 * Gzipped bytes; measured: 12,247 (min 34,377): SSE decoder, byte source, partial JSON parser and the
 * Responses fold. Was 11,056 (ceiling 12,200) before the partial JSON parser's snapshot copy budget
 * (+283 B in that parser) and the not-a-stream source checks. Raised on purpose (issue 20, one pull
 * loop): 12,657 (min 35,530) with core's shared pullStream (abort contract, positions, ProviderError
 * headers, open/cancel for fromResponse) in place of the format's own 14-line loop: +410 B; was 12,247.
 */
const ACCUMULATE_RESPONSE_GZIP_CEILING = 12_950
/** Gzipped bytes; measured: 2,747 (min 6,493). */
const SSE_DECODER_GZIP_CEILING = 3_050
/**
 * Gzipped bytes; measured: 21,565 (min 64,488). Issue 13 asked for no growth past 16.5 KB; the
 * not-a-stream checks (input head, JSON body, response check: +5.6 KB minified), custom tool calls,
 * audio/annotations, kept unknown fields and legacy completions made it grow by 4.9 KB. The target is
 * reported as missed; this ceiling only stops further growth. Before: 16,676, ceiling 18,400.
 */
//
// The `format` option (issue 15: 'responses' | 'anthropic' | 'auto' on every chat entry point) lives in
// the one stream parser, so its two translators (+5.7 KB gzip) are bundled with every chat entry point,
// chat-only users included: measured 27,285 (min 84,045), was 21,952. A string option cannot be
// resolved to a translator without importing it; an opt-in design (the caller passes the translator,
// or a lean chat-only subpath) would give the 5.7 KB back and is reported as the next step.
const ACCUMULATE_GZIP_CEILING = 27_900
/** Gzipped bytes; measured: 3,834 (min 8,191), with the snapshot copy budget that keeps per-piece reads linear (was 3,551). */
const PARTIAL_JSON_GZIP_CEILING = 4_150
/**
 * Gzipped bytes; measured: 12,411 (min 33,408): the fold, the SSE decoder, the partial-JSON parser, the
 * sources. Was 11,246 (ceiling 12,400) before the partial JSON parser's snapshot copy budget and the
 * not-a-stream source checks. Raised on purpose (issue 20, one pull loop): 12,823 (min 34,561) with
 * core's shared pullStream in place of the format's own loop: +412 B; was 12,411.
 */
const ANTHROPIC_GZIP_CEILING = 13_100
/** Gzipped bytes; measured: 3,265 (min 8,944): what the `format` option adds for Anthropic upstreams. */
const ANTHROPIC_TRANSLATOR_GZIP_CEILING = 3_650

// @deltafold/web, one named import each (issue 13's budgets). The package is built one module per
// class with `"sideEffects": false`, so a bundler keeps only the imported class and what it uses;
// before, any one import pulled in all five classes (13.1 KB for SSEDecoderStream).
/** Gzipped bytes; measured: 2,943 (the decoder plus the TransformStream glue). */
const WEB_SSE_DECODER_STREAM_GZIP_CEILING = 3_500
/** Gzipped bytes; measured: 21,022 after the core merges (issue 13's budget: 17,000, missed: core's stream parser grew, see ACCUMULATE). Before them: 16,528. */
// With the `format` option's translators (see ACCUMULATE): measured 26,598, was 21,358.
const WEB_DECODER_STREAM_GZIP_CEILING = 27_200
/**
 * Gzipped bytes; measured: 22,140 after the core merges (17,440 before). The goal is 14 KB, below core's
 * createChatCompletionStreamParser alone (15,354), which fromResponse needs: out of the adapter's
 * reach. This ceiling only stops growth.
 */
// With the `format` option's translators (see ACCUMULATE): measured 28,007, was 22,463.
const WEB_FROM_RESPONSE_GZIP_CEILING = 28_600
/** Gzipped bytes; measured: 12,314 (the accumulator and the pump; 10,683 before the core merges). */
const WEB_EVENT_STREAM_GZIP_CEILING = 12_900

interface Size {
  minified: number
  gzip: number
}

/** Bundles `contents` (an ES module re-exporting what an app imports) the way an app bundler would. */
async function measure(contents: string): Promise<Size> {
  const result = await build({
    stdin: { contents, resolveDir: RESOLVE_DIR, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.contents
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

const core = (names: string) => `export { ${names} } from ${JSON.stringify(CORE_DIST)}`
const web = (names: string) => `export { ${names} } from ${JSON.stringify(WEB_DIST)}`

const BUDGETS: [name: string, contents: string, ceiling: number][] = [
  ['@deltafold/core (every export)', `export * from ${JSON.stringify(CORE_DIST)}`, CORE_ALL_GZIP_CEILING],
  ['createSSEDecoder', core('createSSEDecoder'), SSE_DECODER_GZIP_CEILING],
  ['accumulateChatCompletion', core('accumulateChatCompletion'), ACCUMULATE_GZIP_CEILING],
  ['createPartialJSONParser', core('createPartialJSONParser'), PARTIAL_JSON_GZIP_CEILING],
  ['accumulateAnthropicMessage', core('accumulateAnthropicMessage'), ANTHROPIC_GZIP_CEILING],
  ['createAnthropicChatChunkTranslator', core('createAnthropicChatChunkTranslator'), ANTHROPIC_TRANSLATOR_GZIP_CEILING],
  ['@deltafold/web SSEDecoderStream', web('SSEDecoderStream'), WEB_SSE_DECODER_STREAM_GZIP_CEILING],
  ['@deltafold/web ChatCompletionDecoderStream', web('ChatCompletionDecoderStream'), WEB_DECODER_STREAM_GZIP_CEILING],
  ['@deltafold/web fromResponse', web('fromResponse'), WEB_FROM_RESPONSE_GZIP_CEILING],
  ['@deltafold/web ChatCompletionEventStream', web('ChatCompletionEventStream'), WEB_EVENT_STREAM_GZIP_CEILING],
  ['accumulateResponse', core('accumulateResponse'), ACCUMULATE_RESPONSE_GZIP_CEILING],
]

/** Peers and adapters measured for the README table only (no ceiling here). */
const REFERENCES: [name: string, contents: string][] = [
  ['eventsource-parser createParser', `export { createParser } from 'eventsource-parser'`],
  ['eventsource-parser (every export)', `export * from 'eventsource-parser'`],
  ['eventsource-parser/stream EventSourceParserStream', `export { EventSourceParserStream } from 'eventsource-parser/stream'`],
  ['@deltafold/web (every export)', `export * from ${JSON.stringify(WEB_DIST)}`],
]

const rows: string[] = []

beforeAll(() => {
  for (const dist of [CORE_DIST, WEB_DIST]) if (!existsSync(dist)) throw new Error(`Missing ${dist}: run \`npx -y pnpm@10 build\` first`)
})

describe('bundle budget of @deltafold/core and @deltafold/web (esbuild, minified, gzip -9)', () => {
  test.each(BUDGETS)('%s stays within its ceiling', async (name, contents, ceiling) => {
    const size = await measure(contents)
    rows.push(`${name.padEnd(52)} ${String(size.minified).padStart(7)} min ${String(size.gzip).padStart(7)} gzip  (ceiling ${ceiling})`)
    expect(size.gzip, `${name}: ${size.gzip} gzipped bytes, ceiling ${ceiling}`).toBeLessThanOrEqual(ceiling)
  })

  test('one named import from @deltafold/web bundles that class and what it uses, not the other classes', async () => {
    const code = async (contents: string) => {
      const result = await build({
        stdin: { contents, resolveDir: RESOLVE_DIR, loader: 'js' },
        bundle: true,
        minifyWhitespace: true,
        minifySyntax: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      })
      return result.outputFiles[0]!.text
    }
    const sse = await code(web('SSEDecoderStream'))
    expect(sse).toMatch(/SSEDecoderStream=class extends TransformStream/)
    for (const other of [
      'ChatCompletionDecoderStream',
      'ChatCompletionEventStream',
      'ChatCompletionChunkStream',
      'SSEEncoderStream',
      'function fromResponse',
    ])
      expect(sse).not.toContain(other)
    const decoder = await code(web('ChatCompletionDecoderStream'))
    expect(decoder).toMatch(/ChatCompletionDecoderStream=class/)
    for (const other of ['SSEDecoderStream=class', 'ChatCompletionEventStream', 'function fromResponse'])
      expect(decoder).not.toContain(other)
  })

  test('reference sizes for the README (eventsource-parser, web adapter)', async () => {
    for (const [name, contents] of REFERENCES) {
      const size = await measure(contents)
      rows.push(`${name.padEnd(52)} ${String(size.minified).padStart(7)} min ${String(size.gzip).padStart(7)} gzip`)
      expect(size.gzip).toBeGreaterThan(0)
    }
    console.log(`Bundle sizes (bytes):\n${rows.join('\n')}`)
  })
})
