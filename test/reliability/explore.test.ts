import { test } from 'vitest'
import { SURFACES, LOOP_SURFACES, runSurface, sse, content, released } from './helpers.js'

const HELLO = sse(content('Hello'))
test('explore', async () => {
  if (0) for (const s of SURFACES) {
    // #36 abort
    const c = new AbortController(); const reason = new Error('stop')
    const r = await runSurface(s, [HELLO], 'stall', { signal: c.signal, onEvent: (e) => { if (e.type === 'content.delta') setTimeout(() => c.abort(reason), 1) } })
    console.log('#36', s, r.error === reason, (r.error as any)?.name, (r.error as any)?.cause === reason, r.finalError === r.error, (r.finalError as any)?.code, r.snapshot()?.choices[0]?.message.content, (reason as any).partial?.choices[0]?.message.content, r.probe.cancels.length, released(r.source), r.abortListeners)
  }
  for (const s of LOOP_SURFACES) {
    const r = await runSurface(s, [HELLO, sse(content(' more'))], 'stall', { onConsumed: (e) => e.type === 'content.delta' ? 'break' : undefined })
    console.log('#37', s, (r.error as any)?.name, (r.error as any)?.code, (r.error as any)?.cause, r.finalError===r.error, (r.finalError as any)?.code, (r.finalError as any)?.partial?.choices[0]?.message.content, r.snapshot()?.choices[0]?.message.content, r.probe.cancels.length, r.probe.pulls, released(r.source))
  }
  for (const s of SURFACES) {
    const err = new Error('connection reset')
    const r = await runSurface(s, [sse(content('1')), sse(content('2')), sse(content('3')), { error: err }], 'close')
    console.log('#38', s, (r.error as any)?.code, (r.error as any)?.cause === err, r.error === err, r.finalError === r.error, (r.error as any)?.partial?.choices[0]?.message.content, r.snapshot()?.choices[0]?.message.content, r.probe.cancels.length, released(r.source))
  }
})
