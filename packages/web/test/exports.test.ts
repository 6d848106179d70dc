import { expect, test } from 'vitest'
import * as core from '@deltafold/core'
import * as adapter from '@deltafold/web'

test("re-exports core's error classes and guard: the same objects, so instanceof and the guard work with either import", () => {
  expect(adapter.DeltafoldError).toBe(core.DeltafoldError)
  expect(adapter.ProviderError).toBe(core.ProviderError)
  expect(adapter.isDeltafoldError).toBe(core.isDeltafoldError)
  const error = new adapter.ProviderError('upstream_error', 'The provider sent an error', { message: 'x' })
  expect(adapter.isDeltafoldError(error)).toBe(true)
  expect(error).toBeInstanceOf(core.DeltafoldError)
})
