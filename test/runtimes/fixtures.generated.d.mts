// Types of the module generate-fixtures.mjs writes (fixtures.generated.mjs, gitignored).
import type { ConformanceFixture } from './conformance.mjs'

export const generatedWith: { node: string; fixtures: number }
export const fixtures: ConformanceFixture[]
