// The workerd leg's worker: answers any request by running the conformance suite on the built
// packages inside workerd and returning its result as JSON. workerd.test.ts bundles this file with
// esbuild (the web dist's `import '@deltafold/core'` resolves through node_modules to the same core
// dist) and serves the bundle from a generated capnp config.
import * as core from '../../../packages/core/dist/index.js'
import * as web from '../../../packages/web/dist/index.js'
import { runConformance } from '../conformance.mjs'
import { fixtures } from '../.tmp/fixtures.generated.mjs'

export default {
  async fetch() {
    const result = await runConformance({ core, web, fixtures })
    return Response.json({ runtime: `workerd (${navigator.userAgent})`, ...result })
  },
}
