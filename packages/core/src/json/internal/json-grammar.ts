// The JSON grammar the partial parser walks: character codes, parser states and number phases,
// the expectation messages for errors, the escape table, and the object helpers that build values
// the way JSON.parse does. Kept apart from the state machine (partial-json-parser.ts) so that each
// file holds one concept; everything here is constant or pure.
export type JSONObject = Record<string, unknown>
export type Container = JSONObject | unknown[]

export const TAB = 9
export const LF = 10
export const CR = 13
export const SPACE = 32
export const QUOTE = 34
export const PLUS = 43
export const COMMA = 44
export const MINUS = 45
export const DOT = 46
export const DIGIT_0 = 48
export const DIGIT_9 = 57
export const COLON = 58
export const UPPER_E = 69
export const LEFT_BRACKET = 91
export const BACKSLASH = 92
export const RIGHT_BRACKET = 93
export const LOWER_A = 97
export const LOWER_E = 101
export const LOWER_F = 102
export const LOWER_N = 110
export const LOWER_T = 116
export const LOWER_U = 117
export const LEFT_BRACE = 123
export const RIGHT_BRACE = 125
// Characters below U+0020 must be escaped inside a string (RFC 8259 section 7).
export const FIRST_UNESCAPED = 0x20
// Finds the next character that must be escaped in a string (global: `test` moves `lastIndex`).
export const CONTROL = /[\u0000-\u001f]/g
// Cached search positions below any index: "search before use".
export const NOT_SEARCHED = -2
// Strings in the last SHORT_SCAN code units of a piece are scanned with a charCodeAt loop.
export const SHORT_SCAN = 32
export const SURROGATE_MASK = 0xfc00
export const HIGH_SURROGATE = 0xd800

/**
 * Members a snapshot may copy per code unit fed (see `budget`). 64 keeps every read exact while the
 * open containers hold fewer than ~64 members per character of the pieces (objects of named fields,
 * strings of any length), and bounds the copying of a read per piece to 64x the input whatever its
 * shape: a 170 KB array of 30,000 numbers read after each of its 21,000 pieces took 72 s with a copy
 * per read (one 240 KB array copied per piece), and stays linear with the budget.
 */
export const COPY_BUDGET_PER_UNIT = 64
export const DEFAULT_MAX_DEPTH = 128
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024

// Parser states. Structural states name what the next significant character may be.
/** The top-level value. */
export const VALUE = 0
/** After `[`: a value or `]`. */
export const FIRST_ELEMENT = 1
/** After `,` in an array: a value. */
export const NEXT_ELEMENT = 2
/** After `:`: a value. */
export const MEMBER_VALUE = 3
/** After `{`: a key or `}`. */
export const FIRST_KEY = 4
/** After `,` in an object: a key. */
export const NEXT_KEY = 5
/** After a key: `:`. */
export const KEY_COLON = 6
/** After a value: `,` or the closing bracket, or only whitespace at the top level. */
export const AFTER_VALUE = 7
// Token states.
export const IN_STRING = 8
/** After `\` in a string. */
export const IN_ESCAPE = 9
/** Inside the four hex digits of `\u`. */
export const IN_UNICODE = 10
export const IN_NUMBER = 11
export const IN_LITERAL = 12

// Number phases (RFC 8259 section 6 grammar), in `numberPhase` while `state === IN_NUMBER`.
export const AFTER_MINUS = 0
export const AFTER_ZERO = 1
export const IN_INTEGER = 2
export const AFTER_DOT = 3
export const IN_FRACTION = 4
export const AFTER_E = 5
export const AFTER_EXPONENT_SIGN = 6
export const IN_EXPONENT = 7
/** Longest integer text (sign included) whose digits are summed exactly without Number(). */
export const MAX_EXACT_DIGITS = 15
/** Bit set of the phases at which the text read so far is a whole number. */
export const COMPLETE_NUMBER = (1 << AFTER_ZERO) | (1 << IN_INTEGER) | (1 << IN_FRACTION) | (1 << IN_EXPONENT)

export const EXPECTED_IN_STATE = [
  'expected a JSON value',
  "expected a value or ']'",
  "expected a value after ','",
  "expected a value after ':'",
  "expected a string key or '}'",
  "expected a string key after ','",
  "expected ':' after an object key",
  '', // AFTER_VALUE depends on the container
  "expected '\"' to close the string",
  "expected '\"', '\\', '/', 'b', 'f', 'n', 'r', 't' or 'u' after '\\' in a string",
  "expected a hex digit in a '\\u' escape",
]
export const EXPECTED_IN_NUMBER = [
  "expected a digit after '-'",
  '',
  '',
  "expected a digit after '.'",
  '',
  "expected '+', '-' or a digit in an exponent",
  'expected a digit in an exponent',
  '',
]
export const EXPECTED_AFTER_ELEMENT = "expected ',' or ']' after an array element"
export const EXPECTED_AFTER_MEMBER = "expected ',' or '}' after an object value"
export const EXPECTED_END = 'expected the end of input after the JSON value'
export const EXPECTED_NO_LEADING_ZERO = "expected '.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed)"
export const EXPECTED_ESCAPED_CONTROL = "expected '\"' or a string character (control characters must be escaped, as \\n or \\u001f)"

/** `ESCAPES[c]` is what `\` followed by the character with code `c` stands for, if anything. */
export const ESCAPES: readonly (string | undefined)[] = /* @__PURE__ */ (() => {
  const table: (string | undefined)[] = new Array<string | undefined>(128).fill(undefined)
  const pairs: [string, string][] = [
    ['"', '"'],
    ['\\', '\\'],
    ['/', '/'],
    ['b', '\b'],
    ['f', '\f'],
    ['n', '\n'],
    ['r', '\r'],
    ['t', '\t'],
  ]
  for (const [letter, unescaped] of pairs) table[letter.charCodeAt(0)] = unescaped
  return table
})()

export const PROTO_KEY = '__proto__'
export const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/**
 * Sets `object[name]` as an own data property, like `JSON.parse`: an existing key keeps its
 * position and takes the new value, and `__proto__` is defined rather than assigned, so the
 * prototype setter never runs.
 */
export function setMember(object: JSONObject, name: string, value: unknown): void {
  if (name === PROTO_KEY) Object.defineProperty(object, name, { value, writable: true, enumerable: true, configurable: true })
  else object[name] = value
}

/**
 * A shallow copy of a parsed object, keys in the same order, `__proto__` kept as an own property.
 * A key loop, not `{ ...object }`: spreading an object that holds a long rope string (an open
 * string shown after every piece) measured 5x slower (125,000 copies of a one-key object: 171 ms
 * against 32 ms, node 20).
 */
export function copyObject(object: JSONObject): JSONObject {
  const copy: JSONObject = {}
  const names = Object.keys(object)
  for (let i = 0; i < names.length; i++) setMember(copy, names[i]!, object[names[i]!])
  return copy
}

/** Value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0
  const lower = c | 0x20
  return lower >= LOWER_A && lower <= LOWER_F ? lower - LOWER_A + 10 : -1
}

// Characters an error message must spell as an escape to be visible: controls, format characters
// (U+FEFF), lone surrogates, unassigned code points and separators other than U+0020.
export const INVISIBLE = /[\p{C}\p{Z}]/u

/** The character at `index` (the whole code point when it is a pair) quoted, invisible ones escaped. */
export function quoteCharacter(text: string, index: number): string {
  const code = text.codePointAt(index)!
  const character = String.fromCodePoint(code)
  if (code < FIRST_UNESCAPED || code === SPACE || !INVISIBLE.test(character)) return JSON.stringify(character)
  const hex = code.toString(16).padStart(4, '0')
  return code > 0xffff ? `"\\u{${hex}}"` : `"\\u${hex}"`
}
