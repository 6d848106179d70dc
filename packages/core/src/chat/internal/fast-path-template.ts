/**
 * The chunk fast path, proving half: makes a template from a payload the generic path has just
 * parsed and applied, and proves it (see `fast-path-match.ts` for what a template is and how a
 * payload is matched against it). Top-level padding (`PADDING`, whose string value is a hole) comes
 * from the shared field tables.
 */
import { PADDING } from './field-tables.js'
import {
  BACKSLASH,
  Hole,
  HOLE_CHOICE,
  HOLE_PAD,
  HOLE_TEXT,
  HOLE_TOOL,
  holeValue,
  matchTemplate,
  NONE,
  QUOTE,
  same,
  type FastRest,
  type FastTemplate,
} from './fast-path-match.js'

/** What the shape check found: where the holes go, and what applying such a chunk does. */
interface Shape {
  field: FastTemplate['field']
  role: string | undefined
  toolType: string | undefined
  rest: FastRest
  /** Hole paths (keys joined by `/`) with their kinds. */
  paths: Map<string, number>
  /** The choice index and tool-call index, used when they are not holes. */
  choice: number
  tool: number
}

const TEXT_FIELDS = new Set(['content', 'reasoning_content', 'reasoning'])
/** Top-level fields whose re-application is a no-op once the same values were applied (first non-empty wins). */
const METADATA = new Set(['id', 'object', 'created', 'model', 'system_fingerprint', 'service_tier'])

/**
 * Makes a template from a payload and the chunk the generic path parsed from it and applied without
 * error. Returns undefined when the chunk is not of a shape the fast path applies (a cheap check),
 * false when the proof fails; the rest costs about two `JSON.parse` of the payload.
 *
 * Indexes are holes only with `indexHoles` (the stream has shown a choice or tool-call index other
 * than 0): every literal costs a string search per payload, ~0.18 µs whatever its length (see
 * `matchTemplate`), so a single-choice stream is matched with one literal fewer.
 *
 * @param data - the payload text
 * @param chunk - what `JSON.parse(data)` returned (possibly changed by an event listener since: the proof catches that)
 * @param withSkeleton - keep the skeleton, to build `chunk` events
 * @param indexHoles - make the choice index and the tool-call index holes
 */
export function makeTemplate(data: string, chunk: unknown, withSkeleton: boolean, indexHoles: boolean): FastTemplate | false | undefined {
  const shape = shapeOf(chunk, indexHoles)
  if (!shape) return undefined
  return templateOf(data, chunk, shape, withSkeleton) ?? false
}

function templateOf(data: string, chunk: unknown, shape: Shape, withSkeleton: boolean): FastTemplate | undefined {
  const found = locate(data, shape.paths)
  if (!found) return undefined
  const order = [...found.entries()].sort((a, b) => a[1][0] - b[1][0])
  const lits: string[] = []
  const holes: number[] = []
  const paths: string[] = []
  const sentinelParts: string[] = []
  let pos = 0
  for (const [path, [start, end]] of order) {
    const kind = shape.paths.get(path)!
    const isString = kind === HOLE_TEXT || kind === HOLE_PAD
    // A string hole is the body between quotes; an integer hole is plain digits without a leading zero.
    if (
      isString
        ? data.charCodeAt(start - 1) !== QUOTE || data.charCodeAt(end) !== QUOTE
        : !/^(?:0|[1-9]\d{0,8})$/.test(data.slice(start, end))
    ) {
      // Then the index is a literal (`0.0`, `1e0`…), else the string is not where it should be.
      if (kind === HOLE_CHOICE || kind === HOLE_TOOL) continue
      return undefined
    }
    if (start < pos) return undefined
    lits.push(data.slice(pos, start))
    sentinelParts.push(data.slice(pos, start), isString ? `~${holes.length}~` : String(876543210 + holes.length))
    holes.push(kind)
    paths.push(path)
    pos = end
  }
  if (!holes.includes(HOLE_TEXT)) return undefined
  lits.push(data.slice(pos))
  sentinelParts.push(data.slice(pos))
  let proof: unknown
  try {
    proof = JSON.parse(sentinelParts.join(''))
  } catch {
    return undefined
  }
  const holePaths = new Map(paths.map((path, slot) => [path, slot]))
  const sentinels = holes.map((kind, slot) => (kind === HOLE_TEXT || kind === HOLE_PAD ? `~${slot}~` : 876543210 + slot))
  const skeleton = skeletonOf(proof, '', holePaths, sentinels, 0)
  if (skeleton === undefined) return undefined
  const rest = shape.rest
  const t: FastTemplate = {
    field: shape.field,
    role: shape.role,
    toolType: shape.toolType,
    rest: rest.top || rest.choice || rest.fn || rest.call ? rest : undefined,
    // Flat copies: slices would keep the network chunk the payload came from alive.
    lits: lits.map(flatCopy),
    holes: holes.reduce((packed, kind, h) => packed | (kind << (2 * h)), 0),
    skeleton,
    text: '',
    choice: shape.choice,
    tool: shape.tool,
    data,
    spans: holes.includes(HOLE_PAD) ? new Array<number>(2 * holes.length).fill(0) : NONE,
  }
  // The generic chunk must be the proof's chunk with the payload's own values in the holes; the
  // original values must differ from the sentinels (or a hole could be a token that does not bind).
  if (!matchTemplate(t, data) || !same(skeleton, chunk, t)) return undefined
  for (let slot = 0; slot < holes.length; slot++) if (holeValue(t, slot) === sentinels[slot]) return undefined
  t.data = ''
  if (!withSkeleton) t.skeleton = undefined
  return t
}

/**
 * The proof's chunk with the sentinels replaced by holes, or undefined when a sentinel is missing or
 * misplaced, a `__proto__` key appears anywhere (the skeleton is copied by assignment), or it nests
 * deeper than 32 (chunk shapes are shallow).
 */
function skeletonOf(value: unknown, path: string, holePaths: Map<string, number>, sentinels: unknown[], depth: number): unknown {
  const slot = holePaths.get(path)
  if (slot !== undefined) return value === sentinels[slot] ? new Hole(slot) : undefined
  if (typeof value !== 'object' || value === null) {
    // A sentinel outside its hole means the text did not say what the chunk says.
    return sentinels.includes(value) ? undefined : value
  }
  if (depth > 32) return undefined
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      const node = skeletonOf(value[i], `${path}/${i}`, holePaths, sentinels, depth + 1)
      if (node === undefined) return undefined
      out.push(node)
    }
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return undefined
    const node = skeletonOf((value as Record<string, unknown>)[key], `${path}/${key}`, holePaths, sentinels, depth + 1)
    if (node === undefined) return undefined
    out[key] = node
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Whether a provider field's value is one the fast path repeats: objects merge, so they are not. */
function primitive(key: string, value: unknown): boolean {
  return key !== '__proto__' && (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
}

/**
 * The shapes whose application by `push()` is exactly: keep the primitive provider fields (count
 * their size, set the value), set a repeated role, append one text or arguments fragment to an
 * existing choice or call, count the `null` fields of the call. Everything else the chunk says must
 * be a no-op once the same chunk was applied: metadata (first non-empty value wins), `null` usage,
 * error, finish_reason and logprobs, `null` delta fields.
 */
function shapeOf(chunk: unknown, indexHoles: boolean): Shape | undefined {
  if (!isObject(chunk)) return undefined
  const paths = new Map<string, number>()
  const rest: FastRest = {}
  let choice: Record<string, unknown> | undefined
  for (const key of Object.keys(chunk)) {
    const value = chunk[key]
    if (key === 'choices') {
      if (!Array.isArray(value) || value.length !== 1 || !isObject(value[0])) return undefined
      choice = value[0]
    } else if (PADDING.has(key)) {
      if (typeof value === 'string') paths.set(`/${key}`, HOLE_PAD)
    } else if (METADATA.has(key)) continue
    else if (key === 'usage' || key === 'error') {
      // null: a no-op.
      if (value !== null) return undefined
    } else if (primitive(key, value)) (rest.top ??= {})[key] = value
    else return undefined
  }
  if (!choice) return undefined
  let delta: Record<string, unknown> | undefined
  let choiceIndex = 0
  for (const key of Object.keys(choice)) {
    const value = choice[key]
    if (key === 'delta') {
      if (!isObject(value)) return undefined
      delta = value
    } else if (key === 'index') {
      if (typeof value === 'number') {
        choiceIndex = value
        if (indexHoles) paths.set('/choices/0/index', HOLE_CHOICE)
      } else if (value !== null) return undefined
    } else if (key === 'finish_reason' || key === 'logprobs') {
      if (value !== null) return undefined
    } else if (primitive(key, value)) (rest.choice ??= {})[key] = value
    else return undefined
  }
  if (!delta) return undefined
  let role: string | undefined
  let field: FastTemplate['field'] | undefined
  let call: Record<string, unknown> | undefined
  for (const key of Object.keys(delta)) {
    const value = delta[key]
    if (key === '__proto__') return undefined
    if (value === null) continue
    if (key === 'role' && typeof value === 'string') {
      if (value !== '') role = value
    } else if (TEXT_FIELDS.has(key) && typeof value === 'string' && field === undefined && call === undefined) {
      field = key as FastTemplate['field']
    } else if (
      key === 'tool_calls' &&
      Array.isArray(value) &&
      value.length === 1 &&
      isObject(value[0]) &&
      field === undefined &&
      call === undefined
    ) {
      call = value[0]
    } else return undefined
  }
  if (field !== undefined) {
    paths.set(`/choices/0/delta/${field}`, HOLE_TEXT)
    return { field, role, toolType: undefined, rest, paths, choice: choiceIndex, tool: 0 }
  }
  if (!call) return undefined
  // A continuation fragment: an index, no id (or ""), no name (or ""), string arguments.
  let toolType: string | undefined
  let fn: Record<string, unknown> | undefined
  for (const key of Object.keys(call)) {
    const value = call[key]
    if (key === 'index') {
      if (typeof value !== 'number') return undefined
    } else if (key === 'id') {
      if (value !== null && value !== '') return undefined
    } else if (key === 'type') {
      if (typeof value === 'string') toolType = value
      else if (value !== null) return undefined
    } else if (key === 'function') {
      if (!isObject(value)) return undefined
      fn = value
    } else if (value === null && key !== '__proto__') (rest.call ??= {})[key] = null
    else return undefined
  }
  if (!fn || call.index === undefined) return undefined
  for (const key of Object.keys(fn)) {
    const value = fn[key]
    if (key === 'arguments') {
      if (typeof value !== 'string') return undefined
    } else if (key === 'name') {
      if (value !== null && value !== '') return undefined
    } else if (value === null && key !== '__proto__') (rest.fn ??= {})[key] = null
    else return undefined
  }
  if (typeof fn.arguments !== 'string') return undefined
  if (indexHoles) paths.set('/choices/0/delta/tool_calls/0/index', HOLE_TOOL)
  paths.set('/choices/0/delta/tool_calls/0/function/arguments', HOLE_TEXT)
  return { field: 'arguments', role, toolType, rest, paths, choice: choiceIndex, tool: call.index as number }
}

/**
 * Where the values at `wanted` paths are in the JSON text `data` (the last occurrence, as
 * `JSON.parse` keeps the last of duplicate keys): [start, end) of a string's body or of a number.
 * A plain scanner over text `JSON.parse` accepted; anything unexpected gives undefined. It only
 * proposes where the holes are: the sentinel parse proves it.
 */
function locate(data: string, wanted: Map<string, number>): Map<string, [number, number]> | undefined {
  const found = new Map<string, [number, number]>()
  let i = 0
  const ws = (): void => {
    for (let c = data.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = data.charCodeAt(++i));
  }
  const string = (): number => {
    // i is at the opening quote; returns the index of the closing one.
    let j = i + 1
    for (;;) {
      const c = data.charCodeAt(j)
      if (Number.isNaN(c)) return -1
      if (c === QUOTE) return j
      j += c === BACKSLASH ? 2 : 1
    }
  }
  const value = (path: string, depth: number): boolean => {
    if (depth > 32) return false
    ws()
    const c = data.charCodeAt(i)
    const start = i
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const object = c === 0x7b
      i++
      ws()
      if (data.charCodeAt(i) === (object ? 0x7d : 0x5d)) {
        i++
        return true
      }
      for (let n = 0; ; n++) {
        let key = String(n)
        if (object) {
          ws()
          if (data.charCodeAt(i) !== QUOTE) return false
          const end = string()
          if (end < 0) return false
          const raw = data.slice(i + 1, end)
          key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
          i = end + 1
          ws()
          if (data.charCodeAt(i) !== 0x3a /* : */) return false
          i++
        }
        if (!value(`${path}/${key}`, depth + 1)) return false
        ws()
        const next = data.charCodeAt(i++)
        if (next === 0x2c /* , */) continue
        return next === (object ? 0x7d : 0x5d)
      }
    }
    if (c === QUOTE) {
      const end = string()
      if (end < 0) return false
      i = end + 1
      if (wanted.has(path)) found.set(path, [start + 1, end])
      return true
    }
    // A number or a literal: up to the next delimiter.
    while (i < data.length) {
      const d = data.charCodeAt(i)
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break
      i++
    }
    if (i === start) return false
    if (wanted.has(path)) found.set(path, [start, i])
    return true
  }
  try {
    if (!value('', 0)) return undefined
    ws()
    return i === data.length ? found : undefined
  } catch {
    return undefined
  }
}

/** A flat copy of a string that shares no memory with it (a slice keeps its whole parent alive). */
function flatCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string
}
