/** The status line and headers `curl -i` / `curl -D -` write before the body. */
export interface HttpHead {
  status: number
  statusText: string
  headers: Headers
}

/** What {@link splitHttpHead} found: the head (when the input starts with one) and the body bytes. */
export interface SplitInput {
  head: HttpHead | undefined
  body: AsyncIterable<Uint8Array | string>
}

// A head longer than this is not an HTTP head (curl's are a few hundred bytes to a few KB).
const MAX_HEAD_BYTES = 64 * 1024
const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/

/**
 * Looks at the start of the input: when it is an HTTP response head (`HTTP/1.1 200 OK`, `HTTP/2 429`,
 * headers, a blank line), as `curl -i` or `curl -D -` print it, the head is parsed and the body is
 * the bytes after it. Interim heads (`100 Continue`, redirects followed by `curl -L`) are skipped:
 * the last head before the body counts. Otherwise the input passes through untouched. Only the
 * head is buffered (at most 64 KiB); the body still streams.
 */
export async function splitHttpHead(source: AsyncIterable<Uint8Array | string>): Promise<SplitInput> {
  const iterator = source[Symbol.asyncIterator]()
  const buffered: Buffer[] = []
  let size = 0
  let head: HttpHead | undefined
  let rest: Buffer | undefined
  // Read until the input cannot be a head, or a final head (status >= 200) is complete.
  for (;;) {
    const text = Buffer.concat(buffered).toString('latin1')
    if (size >= 5 && !text.startsWith('HTTP/')) break
    if (size > 0 && size < 5 && !'HTTP/'.startsWith(text)) break
    const parsed = parseHeads(text)
    if (parsed === 'invalid') break
    if (parsed !== 'incomplete') {
      head = parsed.head
      rest = Buffer.concat(buffered).subarray(parsed.bodyStart)
      break
    }
    if (size > MAX_HEAD_BYTES) break
    const next = await iterator.next()
    if (next.done) break
    const chunk =
      typeof next.value === 'string'
        ? Buffer.from(next.value)
        : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength)
    buffered.push(chunk)
    size += chunk.length
  }
  const prefix = head ? (rest!.length > 0 ? [rest!] : []) : buffered
  async function* body(): AsyncGenerator<Uint8Array | string, void, undefined> {
    try {
      for (const chunk of prefix) yield chunk
      for (;;) {
        const next = await iterator.next()
        if (next.done) return
        yield next.value
      }
    } finally {
      await iterator.return?.()
    }
  }
  return { head, body: body() }
}

/** Parses the heads at the start of `text` (latin1); `incomplete` until the final one's blank line. */
function parseHeads(text: string): { head: HttpHead; bodyStart: number } | 'incomplete' | 'invalid' {
  let at = 0
  for (;;) {
    const end = findBlankLine(text, at)
    if (end === undefined) return 'incomplete'
    const lines = text.slice(at, end.start).split(/\r?\n/)
    const match = STATUS_LINE.exec(lines[0]!)
    if (!match) return 'invalid'
    const status = Number(match[1])
    const headers = new Headers()
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon <= 0) return 'invalid'
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
      } catch {
        return 'invalid'
      }
    }
    at = end.next
    // 1xx heads (100 Continue) and redirects followed by curl -L are followed by another head.
    const another = text.startsWith('HTTP/', at)
    if (status >= 200 && !(status >= 300 && status < 400 && another))
      return { head: { status, statusText: match[2] ?? '', headers }, bodyStart: at }
    if (!another && at < text.length) return 'invalid'
  }
}

function findBlankLine(text: string, from: number): { start: number; next: number } | undefined {
  const crlf = text.indexOf('\r\n\r\n', from)
  const lf = text.indexOf('\n\n', from)
  if (crlf === -1 && lf === -1) return undefined
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { start: crlf, next: crlf + 4 }
  return { start: lf, next: lf + 2 }
}
