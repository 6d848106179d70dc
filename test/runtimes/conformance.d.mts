// Types of conformance.mjs, for the TypeScript runners (node.test.ts).

export interface ConformanceFixture {
  /** Path under test/fixtures/recorded, such as `openai-node/gpt-4o-content-logprobs.sse`. */
  name: string
  /** The SSE body. */
  sse: string
  /** What Node computed from the same dist: the completion, or the error's name and code. */
  expected: { completion: unknown } | { error: { name?: string; code?: string } }
}

export interface ConformanceFailure {
  name: string
  message: string
}

export interface ConformanceSummary {
  passed: number
  failed: number
  skipped: number
  failures: ConformanceFailure[]
  skippedNames: string[]
}

/** Runs every conformance case against the given modules; never throws. */
export function runConformance(options: {
  core: object
  web?: object
  fixtures?: readonly ConformanceFixture[]
  log?: (line: string) => void
}): Promise<ConformanceSummary>
