// Types of generate-fixtures.mjs.

/** Path of the generated module, test/runtimes/.tmp/fixtures.generated.mjs. */
export const GENERATED_FIXTURES: string

/** Writes the generated fixtures module (atomically) and resolves with the number of fixtures. */
export function generateFixtures(out?: string): Promise<number>
