import fc from 'fast-check'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import type { FastTemplate } from '../src/chat/internal/fast-path.js'
import {
  encodeCompletion,
  recordedFixtures,
  seededRandom,
  splitBytes,
  type Loose,
  type ModelChoice,
  type ModelCompletion,
} from './chunk-helpers.js'
import { both, sse, type ObserveOptions } from './fast-path-helpers.js'

// Fixed seed: CI runs the same cases every time; set FAST_PATH_SEED / FAST_PATH_RUNS locally to explore.
const SEED = Number(process.env.FAST_PATH_SEED ?? 20_251_126)
const RUNS = Number(process.env.FAST_PATH_RUNS ?? 120)

// Counts the payloads the fast path matched, to check that the properties exercise it.
const counter = vi.hoisted(() => ({ matched: 0, payloads: 0 }))
vi.mock('../src/chat/internal/fast-path.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/chat/internal/fast-path.js')>()
  return {
    ...original,
    matchTemplate(t: FastTemplate, data: string): boolean {
      const matched = original.matchTemplate(t, data)
      if (matched) counter.matched++
      return matched
    },
  }
})

const encoder = new TextEncoder()

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constantFrom(
    '',
    ' the',
    ' "quoted" \\ back\\slash',
    'line\nbreak\ttab\u0000nul',
    'naïve café 日本語 🎉👩‍👩‍👧',
    '\u2028\u2029\ud800\udfff',
  ),
)

function modelChoice(index: number): fc.Arbitrary<ModelChoice> {
  return fc.record({
    index: fc.constant(index),
    content: fc.option(text, { nil: null }),
    refusal: fc.option(text, { nil: null, freq: 6 }),
    reasoning: fc.option(fc.record({ field: fc.constantFrom('reasoning_content' as const, 'reasoning' as const), text }), { nil: null }),
    toolCalls: fc
      .array(fc.record({ name: fc.stringMatching(/^[a-z_]{1,10}$/), arguments: fc.json({ depthSize: 'small' }) }), { maxLength: 3 })
      .map((calls) => calls.map((c, i) => ({ id: `call_${index}_${i}`, name: c.name, arguments: c.arguments }))),
    logprobs: fc.constant(null),
    finishReason: fc.option(fc.constantFrom('stop', 'length', 'tool_calls'), { nil: null }),
  })
}

const model: fc.Arbitrary<ModelCompletion> = fc.record({
  id: fc.constantFrom('chatcmpl-abc', 'gen-1753248104-uf1x', ''),
  model: fc.constantFrom('gpt-4o', 'deepseek-reasoner'),
  created: fc.constantFrom(1_741_569_952, 0),
  choices: fc
    .integer({ min: 1, max: 2 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => modelChoice(i))))
    .map((choices) => [...choices]),
  usage: fc.option(fc.record({ prompt_tokens: fc.nat(1000), completion_tokens: fc.nat(1000), total_tokens: fc.nat(2000) }), { nil: null }),
})

/** How a server dresses its chunks: the same for every chunk of a stream (which is what makes templates). */
const envelope = fc.record({
  openai: fc.boolean(),
  obfuscation: fc.boolean(),
  provider: fc.boolean(),
  repeatRole: fc.boolean(),
  nativeFinish: fc.boolean(),
  asciiOnly: fc.boolean(),
})

type Envelope = typeof envelope extends fc.Arbitrary<infer T> ? T : never

const OBFUSCATION = ['a', 'Zq9', '', 'x\\"y', 'é', 'long-padding-value-0123456789']

/**
 * Real streams are long runs of one-fragment chunks: cut each such chunk's text (content, reasoning
 * or arguments continuation) into up to 6 chunks, so that most payloads repeat a shape.
 */
function lengthen(chunks: Loose[], random: () => number): Loose[] {
  return chunks.flatMap((chunk) => {
    const choices = chunk.choices as Loose[]
    const delta = choices.length === 1 ? (choices[0]!.delta as Loose) : undefined
    const keys = delta ? Object.keys(delta) : []
    if (!delta || keys.length !== 1 || choices[0]!.finish_reason !== null) return [chunk]
    const key = keys[0]!
    const calls = delta.tool_calls as Loose[] | undefined
    const call = calls?.length === 1 && Object.keys(calls[0]!).join() === 'index,function' ? calls[0]! : undefined
    const fn = call?.function as Loose | undefined
    const text =
      key === 'tool_calls'
        ? fn && Object.keys(fn).join() === 'arguments'
          ? (fn.arguments as string)
          : undefined
        : typeof delta[key] === 'string'
          ? (delta[key] as string)
          : undefined
    if (text === undefined || text.length < 2) return [chunk]
    const cuts = [...new Set(Array.from({ length: Math.floor(random() * 6) }, () => 1 + Math.floor(random() * (text.length - 1))))].sort(
      (a, b) => a - b,
    )
    const pieces = [0, ...cuts].map((from, i) => text.slice(from, cuts[i] ?? text.length))
    return pieces.map((piece) => {
      const d = call ? { tool_calls: [{ index: call.index, function: { arguments: piece } }] } : { [key]: piece }
      return { ...chunk, choices: [{ ...choices[0]!, delta: d }] }
    })
  })
}

/** The payload texts a server with `env` streams for these chunks. */
function payloads(chunks: Loose[], env: Envelope, random: () => number): string[] {
  // Choices whose first content delta (which may carry the role) was sent.
  const started = new Set<number>()
  return lengthen(chunks, random).map((chunk) => {
    const out: Loose = {}
    for (const [key, value] of Object.entries(chunk)) {
      if (key !== 'choices') out[key] = value
    }
    if (env.provider) out.provider = 'Fireworks'
    if (env.openai) {
      out.service_tier = 'default'
      out.system_fingerprint = 'fp_f9f4fb6dbf'
    }
    out.choices = (chunk.choices as Loose[]).map((c) => {
      const choice: Loose = { ...c }
      // The test encoder sends logprobs: null and repeats the role at random; a server does either always or never.
      if (choice.logprobs === null) delete choice.logprobs
      if (env.openai && choice.logprobs === undefined) choice.logprobs = null
      const delta = choice.delta as Loose
      if (typeof delta.content === 'string' && !started.has(choice.index as number)) started.add(choice.index as number)
      else if (typeof delta.content === 'string') {
        const { role: _role, ...rest } = delta
        choice.delta = env.repeatRole ? { role: 'assistant', ...rest } : rest
      }
      if (env.nativeFinish) choice.native_finish_reason = null
      return choice
    })
    if (env.openai) out.usage = chunk.usage ?? null
    let json = JSON.stringify(out)
    if (env.obfuscation) json = `${json.slice(0, -1)},"obfuscation":"${OBFUSCATION[Math.floor(random() * OBFUSCATION.length)]}"}`
    // Python's json.dumps writes non-ASCII as \u escapes.
    if (env.asciiOnly) json = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    return json
  })
}

const INTERESTING = [
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '0',
  '1',
  '-',
  '.',
  'e',
  ' ',
  '\t',
  '\u0001',
  'a',
  'é',
  '\u2028',
  '\ud800',
  'null',
  '\\"',
  '\\u00',
  '\\\\',
  '"x":1,',
  '"__proto__":{},',
]

/** Edits payloads the way a near miss would: a byte changed, inserted or removed, a key duplicated or moved, a truncation. */
const mutation = fc.record({ at: fc.nat(), pos: fc.nat(), kind: fc.nat(5), piece: fc.constantFrom(...INTERESTING) })

function mutate(list: string[], m: { at: number; pos: number; kind: number; piece: string }): string[] {
  if (list.length === 0) return list
  const out = [...list]
  const i = m.at % out.length
  const p = out[i]!
  const pos = m.pos % (p.length + 1)
  switch (m.kind) {
    case 0:
      out[i] = p.slice(0, pos) + m.piece + p.slice(pos + 1)
      break
    case 1:
      out[i] = p.slice(0, pos) + m.piece + p.slice(pos)
      break
    case 2:
      out[i] = p.slice(0, pos) + p.slice(pos + 1)
      break
    case 3:
      out[i] = p.slice(0, pos)
      break
    case 4: {
      // Re-serialize with the keys of one object in reverse order, or one key duplicated.
      try {
        const value = JSON.parse(p) as Loose
        const choices = value.choices as Loose[] | undefined
        const target: Loose = Array.isArray(choices) && choices[0] && m.pos % 2 === 0 ? ((choices[0].delta as Loose) ?? value) : value
        const keys = Object.keys(target)
        const entries = keys.map((k) => [k, target[k]] as const)
        for (const k of keys) delete target[k]
        for (const [k, v] of m.pos % 3 === 0 ? entries.reverse() : entries) target[k] = v
        let json = JSON.stringify(value)
        if (m.pos % 3 === 1 && keys.length > 0) json = json.replace(`"${keys[0]}":`, `"${keys[0]}":null,"${keys[0]}":`)
        out[i] = json
      } catch {
        out[i] = p + m.piece
      }
      break
    }
    default:
      // The same payload twice: a repeat is the fast path's best case.
      out.splice(i, 0, p)
  }
  return out
}

const options: fc.Arbitrary<ObserveOptions> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 4 },
  { arbitrary: fc.constant({ parseArguments: true }), weight: 2 },
  { arbitrary: fc.constant({ strict: true }), weight: 1 },
  { arbitrary: fc.integer({ min: 20, max: 600 }).map((maxBytes) => ({ limits: { maxBytes } })), weight: 2 },
  { arbitrary: fc.constant({ limits: { maxChoices: 1, maxToolCalls: 1 } }), weight: 1 },
)

function expectAgree(list: string[], cuts: number[], opts: ObserveOptions): void {
  counter.payloads += 2 * list.length
  const bytes = encoder.encode(sse(list))
  const pieces = splitBytes(
    bytes,
    cuts.map((c) => c % (bytes.length + 1)),
  )
  for (const listen of [false, true]) {
    const { fast, generic } = both(pieces, { ...opts, listen })
    expect(fast).toEqual(generic)
  }
}

describe('fast path ≡ generic path (events, completion, errors, snapshot)', () => {
  // The properties are only as good as the share of payloads the fast path matched.
  function expectExercised(share: number): void {
    expect(counter.matched / counter.payloads).toBeGreaterThan(share)
  }
  beforeEach(() => {
    counter.matched = 0
    counter.payloads = 0
  })

  test('on generated streams as servers dress them, split anywhere', () => {
    fc.assert(
      fc.property(model, fc.integer(), envelope, fc.array(fc.nat(), { maxLength: 20 }), options, (m, seed, env, cuts, opts) => {
        const random = seededRandom(seed)
        expectAgree(payloads(encodeCompletion(m, random), env, random), cuts, opts)
      }),
      { seed: SEED, numRuns: RUNS },
    )
    expectExercised(0.22)
  }, 600_000)

  test('on generated streams with near-miss payloads', () => {
    fc.assert(
      fc.property(
        model,
        fc.integer(),
        envelope,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        options,
        (m, seed, env, mutations, cuts, opts) => {
          const random = seededRandom(seed)
          let list = payloads(encodeCompletion(m, random), env, random)
          for (const mu of mutations) list = mutate(list, mu)
          expectAgree(list, cuts, opts)
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    )
    expectExercised(0.14)
  }, 600_000)

  const fixtures = recordedFixtures()
  const fixturePayloads = fixtures.map((f) =>
    new TextDecoder()
      .decode(f.bytes)
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)),
  )

  test('on recorded fixtures with near-miss payloads', () => {
    fc.assert(
      fc.property(
        fc.nat(fixtures.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        options,
        (f, mutations, cuts, opts) => {
          let list = fixturePayloads[f]!
          for (const mu of mutations) list = mutate(list, mu)
          expectAgree(list, cuts, opts)
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    )
    expectExercised(0.4)
  }, 600_000)
})
