import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { createPartialJSONParser, DeltafoldError, isDeltafoldError, type PartialJSONParserOptions } from '@deltafold/core'
import { splitEvery } from './helpers.js'

/** Feeds the pieces to a fresh parser and returns what `end()` returns. */
function parsePieces(pieces: readonly string[], options?: PartialJSONParserOptions): unknown {
  const parser = createPartialJSONParser(options)
  for (const piece of pieces) parser.feed(piece)
  return parser.end()
}

/** Feeds the pieces and returns `value` after the last one (without calling `end()`). */
function valueAfter(pieces: readonly string[]): unknown {
  const parser = createPartialJSONParser()
  for (const piece of pieces) parser.feed(piece)
  return parser.value
}

/** What parsing threw, or undefined when it did not. */
function caught(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}

function expectJSONError(run: () => unknown): DeltafoldError {
  const error = caught(run)
  expect(error).toBeInstanceOf(DeltafoldError)
  return error as DeltafoldError
}

/** Every split of `text` into two pieces, plus one code unit at a time. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], splitEvery(text, 1)]
  for (let at = 1; at < text.length; at++) out.push([text.slice(0, at), text.slice(at)])
  return out
}

describe('partial values', () => {
  test.each<[string, string[], unknown]>([
    ['nothing before the first token', [' \n'], undefined],
    ["an open string's received text", ['"ab'], 'ab'],
    ['an empty open string', ['"'], ''],
    ['a string without an escape begun after a backslash', ['"ab\\'], 'ab'],
    ['a string without a half-read \\u escape', ['"ab\\u00'], 'ab'],
    ['a string with a completed \\u escape', ['"ab\\u0041'], 'abA'],
    ['a string with a completed short escape', ['"a\\n'], 'a\n'],
    ['a string without an escaped high surrogate until the pair completes', ['"a\\ud83d'], 'a'],
    ['a string without an escaped high surrogate while its low half is read', ['"a\\ud83d\\ude'], 'a'],
    ['a string with an escaped surrogate pair', ['"a\\ud83d\\ude00'], 'a\u{1f600}'],
    ['a string without a raw high surrogate until the next code unit', ['"a\ud83d'], 'a'],
    ['a raw surrogate pair split across pieces', ['"a\ud83d', '\ude00'], 'a\u{1f600}'],
    ['a lone escaped high surrogate once another character follows', ['"\\ud800x'], '\ud800x'],
    ['a lone escaped low surrogate at once', ['"\\udc00'], '\udc00'],
    ['an open object with no key', ['{'], {}],
    ['an open object without a key still being read', ['{"a'], {}],
    ['an open object without a key whose value has not started', ['{"a":'], {}],
    ['a key whose value is an open string', ['{"a":"'], { a: '' }],
    ['a key with the open string received so far', ['{"a":"xy'], { a: 'xy' }],
    ['a key whose value is an open array', ['{"a":['], { a: [] }],
    ['a key whose value is an open object', ['{"a":{"b":'], { a: {} }],
    ['an object without an unterminated number', ['{"a":12'], {}],
    ['an object with a number ended by a comma', ['{"a":12,'], { a: 12 }],
    ['an object without an incomplete literal', ['{"a":tru'], {}],
    ['an object with a complete literal', ['{"a":true'], { a: true }],
    ['an open array', ['['], []],
    ['an array without an unterminated number', ['[1'], []],
    ['an array with a number ended by a comma', ['[1,'], [1]],
    ['an array with a number ended by whitespace', ['[1 '], [1]],
    ['an array without an unterminated exponent', ['[1e'], []],
    ['an array with complete and in-progress strings', ['["a","b'], ['a', 'b']],
    ['an array with an in-progress nested array', ['[[1],[2'], [[1], []]],
    ['an array without a literal until complete', ['[tru'], []],
    ['an array with null once complete', ['[null'], [null]],
    ['a top-level number only once terminated', ['12'], undefined],
    ['a top-level number terminated by whitespace', ['12 '], 12],
    ['no top-level literal until complete', ['fals'], undefined],
    ['a top-level literal once complete', ['false'], false],
    ['a nested object in progress', ['{"a":[{"b":"c'], { a: [{ b: 'c' }] }],
  ])('shows %s', (_name, pieces, expected) => {
    expect(valueAfter(pieces)).toStrictEqual(expected)
  })

  test('never changes a value it handed out: later pieces copy the open path', () => {
    const parser = createPartialJSONParser()
    parser.feed('{"done":{"a":[1]},"list":[1,')
    const first = parser.value as { done: unknown; list: unknown[] }
    parser.feed('2,"x')
    const second = parser.value as { done: unknown; list: unknown[] }
    expect(first).toStrictEqual({ done: { a: [1] }, list: [1] })
    expect(second).toStrictEqual({ done: { a: [1] }, list: [1, 2, 'x'] })
    expect(second).not.toBe(first)
    expect(second.list).not.toBe(first.list)
    parser.feed('y"]}')
    expect(second).toStrictEqual({ done: { a: [1] }, list: [1, 2, 'x'] })
    expect(parser.end()).toStrictEqual({ done: { a: [1] }, list: [1, 2, 'xy'] })
  })

  test('shares finished values between snapshots', () => {
    const parser = createPartialJSONParser()
    parser.feed('{"done":{"a":[1]},"open":[')
    const first = parser.value as { done: unknown }
    parser.feed('1,2')
    const second = parser.value as { done: unknown }
    expect(second).not.toBe(first)
    expect(second.done).toBe(first.done)
  })

  test('bounds the copying of reads after every piece: a wide array shows earlier snapshots rather than a copy per piece', () => {
    const numbers = Array.from({ length: 20_000 }, (_, i) => i)
    const text = JSON.stringify(numbers)
    const parser = createPartialJSONParser()
    const distinct: unknown[][] = []
    const lengthsAtHandOut: number[] = []
    for (const piece of splitEvery(text, 1)) {
      parser.feed(piece)
      const value = parser.value as unknown[] | undefined
      if (value !== undefined && value !== distinct.at(-1)) {
        distinct.push(value)
        lengthsAtHandOut.push(value.length)
      }
    }
    // Each new snapshot is an earlier state of the array, never changed afterwards...
    for (const [i, value] of distinct.entries()) {
      expect(value.length).toBe(lengthsAtHandOut[i])
      expect(value.every((n, at) => n === at)).toBe(true)
      if (i > 0) expect(value.length).toBeGreaterThanOrEqual(distinct[i - 1]!.length)
    }
    // ...the members they hold (what copying them cost) stay within 64 per character fed (plus the
    // first read, which may overdraw by its width), where a copy per piece would hold ~1.1 billion.
    const copied = distinct.reduce((sum, value) => sum + value.length, 0)
    expect(copied).toBeLessThanOrEqual(64 * text.length + numbers.length)
    expect(distinct.length).toBeGreaterThan(100)
    // ...and once the array is closed the value is exact again.
    expect(distinct.at(-1)).toStrictEqual(numbers)
    expect(parser.end()).toStrictEqual(numbers)
  })

  test('reads stay exact for objects of named fields fed one character at a time', () => {
    const text = JSON.stringify({ path: 'src/main.ts', edits: [{ at: 4, text: 'const a = "x"' }], note: 'done' })
    const parser = createPartialJSONParser()
    for (let end = 1; end <= text.length; end++) {
      parser.feed(text.charAt(end - 1))
      // A fresh parser's first read shows exactly the state of that prefix.
      const fresh = createPartialJSONParser()
      fresh.feed(text.slice(0, end))
      expect(parser.value).toStrictEqual(fresh.value)
    }
    expect(parser.end()).toStrictEqual(JSON.parse(text))
  })

  test('gives the same object when read again with nothing new', () => {
    const parser = createPartialJSONParser()
    parser.feed('{"a":"x')
    const first = parser.value
    expect(parser.value).toBe(first)
    parser.feed('')
    expect(parser.value).toBe(first)
    // An unfinished number shows nothing yet, so the value stays the same object.
    parser.feed('","n":12')
    expect(parser.value).toBe(first)
    parser.feed('3')
    expect(parser.value).toBe(first)
    parser.feed(',')
    expect(parser.value).not.toBe(first)
    expect(first).toStrictEqual({ a: 'x' })
  })

  test('shows the same key once when an open string is read several times', () => {
    const parser = createPartialJSONParser()
    parser.feed('["a')
    expect(parser.value).toEqual(['a'])
    parser.feed('b')
    expect(parser.value).toEqual(['ab'])
    parser.feed('c",')
    expect(parser.value).toEqual(['abc'])
  })

  test('keeps showing the value of everything before an error', () => {
    const parser = createPartialJSONParser()
    parser.feed('{"a":[1,"x')
    const error = expectJSONError(() => parser.feed('\n'))
    expect(parser.value).toEqual({ a: [1, 'x'] })
    expect(error.partial).toEqual({ a: [1, 'x'] })
  })
})

describe('complete documents', () => {
  test.each([
    ['{"city":"Paris","days":[1,2],"ok":true,"note":null}'],
    [' \t\n\r[ 1 , "two" , { } , [ ] , false ] \r\n'],
    ['"plain"'],
    ['"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00"'],
    ['0'],
    ['-0'],
    ['-0.0e-0'],
    ['0.1'],
    ['1E+2'],
    ['1e400'],
    ['-1e400'],
    ['1e-400'],
    ['123456789012345678901234567890'],
    ['0.1000000000000000055511151231257827'],
    ['1.7976931348623157e308'],
    ['5e-324'],
    ['{"b":1,"2":2,"1":3,"a":4}'],
    ['{"a":1,"b":2,"a":3}'],
    ['{"a":{"x":1},"a":[2]}'],
    ['"\\ud800"'],
    ['"\\udc00\\ud800"'],
    ['"\\ud800x"'],
    ['["\ud800", "\udc00"]'],
    ['{"\\udfaa":0}'],
    ['"\u2028\u2029\u{10ffff}"'],
    ['[[[[[[[[[[]]]]]]]]]]'],
  ])('returns exactly what JSON.parse returns for %j, fed whole or split anywhere', (text) => {
    const expected = JSON.parse(text) as unknown
    for (const pieces of splits(text)) {
      const value = parsePieces(pieces)
      expect(value).toStrictEqual(expected)
      if (typeof expected === 'object' && expected !== null) expect(Object.keys(value as object)).toEqual(Object.keys(expected))
      if (typeof expected === 'number') expect(Object.is(value, expected)).toBe(true)
    }
  })

  test('keeps the position of the first occurrence of a duplicate key with the last value', () => {
    const value = parsePieces(['{"a":1,"b":2,"a":3}'])
    expect(Object.entries(value as object)).toEqual([
      ['a', 3],
      ['b', 2],
    ])
  })

  test('makes __proto__ an own data property without changing the prototype', () => {
    const text = '{"__proto__":{"polluted":true},"a":{"__proto__":[1]}}'
    const value = parsePieces([text]) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(['__proto__', 'a'])
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')).toEqual({
      value: { polluted: true },
      writable: true,
      enumerable: true,
      configurable: true,
    })
    expect(value['polluted']).toBeUndefined()
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.getPrototypeOf(value['a'])).toBe(Object.prototype)
    expect(value).toStrictEqual(JSON.parse(text))
  })

  test('shows an open string under a __proto__ key as an own property', () => {
    const value = valueAfter(['{"__proto__":"ab']) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('ab')
  })

  test('takes the last value of a duplicate __proto__ key', () => {
    const text = '{"__proto__":1,"b":2,"__proto__":3}'
    const value = parsePieces([text])
    expect(Object.entries(value as object)).toEqual(Object.entries(JSON.parse(text) as object))
  })

  test('keeps a split number exact', () => {
    expect(parsePieces(['[12', '34', '.5', 'e', '-', '1]'])).toEqual([123.45])
    expect(parsePieces(['1', '2', '3'])).toBe(123)
  })

  test('returns the same value when end() is called again', () => {
    const parser = createPartialJSONParser()
    parser.feed('[1]')
    const value = parser.end()
    expect(parser.end()).toBe(value)
    expect(parser.value).toBe(value)
  })
})

describe('invalid documents', () => {
  test.each<[string, number]>([
    ['01', 1],
    ['-01', 2],
    ['[1,]', 3],
    ['{"a":1,}', 7],
    ['[,1]', 1],
    ['{,}', 1],
    ["'a'", 0],
    ['"a\u0001"', 2],
    ['"a\nb"', 2],
    ['"\\x"', 2],
    ['"\\U0041"', 2],
    ['"\\u12G4"', 5],
    ['[1] x', 4],
    ['1 2', 2],
    ['[1]]', 3],
    ['{"a":1}}', 7],
    ['.5', 0],
    ['1.e3', 2],
    ['+1', 0],
    ['-a', 1],
    ['0x10', 1],
    ['1.5.3', 3],
    ['NaN', 0],
    ['Infinity', 0],
    ['-Infinity', 1],
    ['[1 2]', 3],
    ['{"a" 1}', 5],
    ['{a:1}', 1],
    ['{"a":1 "b":2}', 7],
    ['{"a"::1}', 5],
    ['truE', 3],
    ['nulll', 4],
    ['\u00a01', 0],
    ['\ufeff{}', 0],
    ['\u000b1', 0],
    ['[1,\f2]', 3],
    ['{"a":1}{', 7],
    ['"a""b"', 3],
  ])('rejects %j at offset %i like JSON.parse', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
    for (const pieces of [[text], splitEvery(text, 1)]) {
      const error = expectJSONError(() => parsePieces(pieces))
      expect(error.code).toBe('invalid_json')
      expect(error.byteOffset).toBe(offset)
      expect(error.message).toMatch(new RegExp(`^Invalid JSON at offset ${offset}: expected .+, got ".+"$`))
    }
  })

  test.each<[string, number]>([
    ['', 0],
    [' \n\t\r', 4],
    ['-', 1],
    ['1.', 2],
    ['1e', 2],
    ['1e+', 3],
    ['tru', 3],
    ['"abc', 4],
    ['"\\', 2],
    ['"\\u00', 5],
    ['[', 1],
    ['[1,', 3],
    ['{"a":', 5],
    ['{"a"', 4],
    ['{"a":1', 6],
  ])('rejects the incomplete %j at end() with "unexpected end of input" at offset %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
    const error = expectJSONError(() => parsePieces(text === '' ? [] : [text]))
    expect(error.code).toBe('invalid_json')
    expect(error.byteOffset).toBe(offset)
    expect(error.message).toMatch(new RegExp(`^Invalid JSON at offset ${offset}: unexpected end of input, expected `))
  })

  test.each<[string, string]>([
    ['{"a":1 x', `Invalid JSON at offset 7: expected ',' or '}' after an object value, got "x"`],
    ['[true false]', `Invalid JSON at offset 6: expected ',' or ']' after an array element, got "f"`],
    ['[1,]', `Invalid JSON at offset 3: expected a value after ',', got "]"`],
    [
      '007',
      `Invalid JSON at offset 1: expected '.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed), got "0"`,
    ],
    [
      '"a\tb"',
      `Invalid JSON at offset 2: expected '"' or a string character (control characters must be escaped, as \\n or \\u001f), got "\\t"`,
    ],
    ['\ufeff1', `Invalid JSON at offset 0: expected a JSON value, got "\\ufeff"`],
    ['[1] \u{1f600}', `Invalid JSON at offset 4: expected the end of input after the JSON value, got "\u{1f600}"`],
    ['nul', `Invalid JSON at offset 3: unexpected end of input, expected 'l' to complete 'null'`],
    ['', 'Invalid JSON at offset 0: unexpected end of input, expected a JSON value'],
  ])('describes the error in %j as %j', (text, message) => {
    expect(expectJSONError(() => parsePieces([text])).message).toBe(message)
  })

  test.each<[string[], string]>([
    [['{"a":{"b":[1,', ' x'], '$.a.b[1]'],
    [['{"a":{"b":[1,2 x'], '$.a.b'],
    [['{"a b":{"c":tx'], '$["a b"].c'],
    [['[{"x":1},{"y":'], '$[1].y'],
    [['{"a":', '1 2'], '$'],
    [['{"a":"\\q'], '$.a'],
  ])('names the path of the value being parsed in %j as %s', (pieces, path) => {
    const error = expectJSONError(() => parsePieces(pieces))
    expect(error.path).toBe(path)
  })

  test('counts the offset across pieces', () => {
    const error = expectJSONError(() => parsePieces(['[1,', ' 2', ' x']))
    expect(error.byteOffset).toBe(6)
    expect(error.message).toBe(`Invalid JSON at offset 6: expected ',' or ']' after an array element, got "x"`)
  })

  test('throws the same error from every feed() and end() after an error', () => {
    const parser = createPartialJSONParser()
    parser.feed('[1')
    const error = expectJSONError(() => parser.feed('x'))
    expect(isDeltafoldError(error)).toBe(true)
    expect(error.name).toBe('DeltafoldError')
    expect(caught(() => parser.feed('2]'))).toBe(error)
    expect(caught(() => parser.end())).toBe(error)
    expect(caught(() => parser.end())).toBe(error)
  })

  test('throws the same end-of-input error from a second end()', () => {
    const parser = createPartialJSONParser()
    parser.feed('[')
    const error = expectJSONError(() => parser.end())
    expect(caught(() => parser.end())).toBe(error)
  })
})

describe('limits', () => {
  test('maxDepth: fails with max_depth, never a RangeError, on 100,000 nested arrays', () => {
    const parser = createPartialJSONParser()
    const error = expectJSONError(() => parser.feed('['.repeat(100_000)))
    expect(error.code).toBe('max_depth')
    expect(error.byteOffset).toBe(128)
    expect(error.message).toBe('JSON nests deeper than maxDepth (128) at offset 128: raise maxDepth to accept it')
  })

  test('maxDepth: fails with max_depth on 100,000 nested objects fed one piece at a time', () => {
    const parser = createPartialJSONParser()
    const error = expectJSONError(() => {
      for (let i = 0; i < 100_000; i++) parser.feed('{"a":')
    })
    expect(error.code).toBe('max_depth')
    expect(error.byteOffset).toBe(128 * 5)
  })

  test.each<[number, string, boolean]>([
    [2, '[[1]]', true],
    [2, '[{"a":1}]', true],
    [2, '[[[1]]]', false],
    [2, '{"a":{"b":{}}}', false],
    [0, '"scalar"', true],
    [0, '[]', false],
  ])('maxDepth: %i accepts %j: %s', (maxDepth, text, accepted) => {
    const error = caught(() => parsePieces([text], { maxDepth }))
    if (accepted) expect(error).toBeUndefined()
    else expect((error as DeltafoldError).code).toBe('max_depth')
  })

  test('maxDepth: names the path where the too-deep value starts', () => {
    const error = expectJSONError(() => parsePieces(['{"a":[[1]]}'], { maxDepth: 2 }))
    expect(error.path).toBe('$.a[0]')
    expect(error.byteOffset).toBe(6)
  })

  test('maxDepth: Infinity parses 100,000 nested arrays without recursion', () => {
    const depth = 100_000
    let value = parsePieces(['['.repeat(depth) + ']'.repeat(depth)], { maxDepth: Infinity })
    let levels = 0
    while (Array.isArray(value)) {
      levels++
      value = value[0]
    }
    expect(levels).toBe(depth)
  })

  test('maxBytes: accepts exactly maxBytes code units', () => {
    expect(parsePieces(['[1,', '2,3]'], { maxBytes: 7 })).toEqual([1, 2, 3])
  })

  test('maxBytes: fails with limit_exceeded and consumes nothing of the piece that passes it', () => {
    const parser = createPartialJSONParser({ maxBytes: 7 })
    parser.feed('[1,')
    const error = expectJSONError(() => parser.feed('2,3,]'))
    expect(error.code).toBe('limit_exceeded')
    expect(error.byteOffset).toBe(7)
    expect(error.message).toBe('Partial JSON input exceeds maxBytes (7): 8 UTF-16 code units fed')
    expect(parser.value).toEqual([1])
    expect(caught(() => parser.feed(''))).toBe(error)
    expect(caught(() => parser.end())).toBe(error)
  })
})

describe('misuse', () => {
  test('throws a TypeError that says how to fix feed() after end()', () => {
    const parser = createPartialJSONParser()
    parser.feed('1')
    parser.end()
    expect(() => parser.feed('2')).toThrow(
      new TypeError('feed() was called after end(): create a new parser with createPartialJSONParser() for the next document'),
    )
  })

  test.each([[new Uint8Array([49])], [null], [1]])('throws a TypeError for feed(%j)', (input) => {
    const parser = createPartialJSONParser()
    expect(() => parser.feed(input as unknown as string)).toThrow(TypeError)
    expect(() => parser.feed(input as unknown as string)).toThrow(/^feed\(\) expects a string, got .+: decode bytes first/)
  })

  test.each<[PartialJSONParserOptions, RegExp]>([
    [{ maxDepth: -1 }, /^maxDepth must be a non-negative integer or Infinity, got -1$/],
    [{ maxDepth: 1.5 }, /^maxDepth must be a non-negative integer or Infinity, got 1.5$/],
    [{ maxDepth: Number.NaN }, /^maxDepth must be/],
    [{ maxBytes: 0 }, /^maxBytes must be a positive number, got 0$/],
    [{ maxBytes: '10' as unknown as number }, /^maxBytes must be a positive number, got 10$/],
  ])('throws a TypeError for the options %j', (options, message) => {
    expect(() => createPartialJSONParser(options)).toThrow(message)
  })
})

interface SuiteCase {
  name: string
  input: string
}

describe('JSONTestSuite (nst/JSONTestSuite test_parsing)', () => {
  const cases = JSON.parse(readFileSync(new URL('./fixtures/JSONTestSuite/test_parsing.json', import.meta.url), 'utf8')) as SuiteCase[]
  // The suite's deepest accepted document is i_structure_500_nested_arrays: implementations may
  // limit depth, and the default limit is tested below; here the limit must not decide acceptance.
  const options = { maxDepth: 1000 }

  function parseCase(pieces: readonly string[]): { ok: true; value: unknown } | { ok: false; error: unknown } {
    try {
      return { ok: true, value: parsePieces(pieces, options) }
    } catch (error) {
      return { ok: false, error }
    }
  }

  test('has the 318 cases of test_parsing', () => {
    expect(cases).toHaveLength(318)
    expect(cases.filter((c) => c.name.startsWith('y_'))).toHaveLength(95)
    expect(cases.filter((c) => c.name.startsWith('n_'))).toHaveLength(188)
    expect(cases.filter((c) => c.name.startsWith('i_'))).toHaveLength(35)
  })

  test.each(cases.filter((c) => c.name.startsWith('y_')).map((c) => [c.name, c.input]))(
    'accepts %s like JSON.parse, whole and one code unit at a time',
    (_name, input) => {
      const expected = JSON.parse(input) as unknown
      for (const pieces of [[input], splitEvery(input, 1)]) {
        const result = parseCase(pieces)
        expect(result).toStrictEqual({ ok: true, value: expected })
      }
    },
  )

  test.each(cases.filter((c) => c.name.startsWith('n_')).map((c) => [c.name, c.input]))(
    'rejects %s like JSON.parse, whole and one code unit at a time',
    (_name, input) => {
      expect(() => JSON.parse(input)).toThrow(SyntaxError)
      for (const pieces of [[input], input === '' ? [] : splitEvery(input, 1)]) {
        const result = parseCase(pieces)
        expect(result.ok).toBe(false)
        if (!result.ok) expect(isDeltafoldError(result.error)).toBe(true)
      }
    },
  )

  test.each(cases.filter((c) => c.name.startsWith('i_')).map((c) => [c.name, c.input]))(
    'handles the implementation-defined %s exactly as JSON.parse does',
    (_name, input) => {
      let expected: { ok: true; value: unknown } | { ok: false } = { ok: false }
      try {
        expected = { ok: true, value: JSON.parse(input) as unknown }
      } catch {
        // JSON.parse rejects it: so must we, with a DeltafoldError.
      }
      for (const pieces of [[input], splitEvery(input, 1)]) {
        const result = parseCase(pieces)
        if (expected.ok) expect(result).toStrictEqual(expected)
        else {
          expect(result.ok).toBe(false)
          if (!result.ok) expect(isDeltafoldError(result.error)).toBe(true)
        }
      }
    },
  )

  test('rejects i_structure_500_nested_arrays with max_depth under the default limit', () => {
    const input = cases.find((c) => c.name === 'i_structure_500_nested_arrays.json')!.input
    expect(expectJSONError(() => parsePieces([input])).code).toBe('max_depth')
  })
})
