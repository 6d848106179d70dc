/**
 * The engine's full garbage collection. `node --expose-gc` provides `globalThis.gc` (the bench is run
 * that way); elsewhere (the vitest smoke run) it is obtained by turning the flag on at run time.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

function find(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (typeof exposed === 'function') return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Runs a full GC. */
export const gc: () => void = find()
