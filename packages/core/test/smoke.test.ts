import { expect, test } from 'vitest'
import { createSSEDecoder, type ServerSentEvent } from '@deltafold/core'

test('decodes a mixed stream', () => {
  const ev: unknown[] = []
  const d = createSSEDecoder({ onEvent: (e: ServerSentEvent) => ev.push(e), onComment: (c) => ev.push({ c }), onRetry: (r) => ev.push({ r }) })
  const enc = new TextEncoder()
  d.feed('\uFEFFdata: a\r'); d.feed('\ndata: b\r\n\r\n'); d.feed(': hi\nretry: 03000\nid: 7\nevent: x\ndata:€\n\n')
  const b = enc.encode('data: €uro\n\n'); d.feed(b.subarray(0, 7)); d.feed(b.subarray(7)); d.feed('data: tail'); d.end()
  expect(ev).toEqual([
    { type: 'message', data: 'a\nb', lastEventId: '' }, { c: 'hi' }, { r: 3000 },
    { type: 'x', data: '€', lastEventId: '7' }, { type: 'message', data: '€uro', lastEventId: '7' },
  ])
})
