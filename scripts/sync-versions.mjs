// The npm packages are one changesets "fixed" group, so they share one version; the JSR members
// (packages/{core,web,deno}/deno.json) must carry it too, because changesets only knows package.json.
//
//   node scripts/sync-versions.mjs          writes the npm version into every deno.json
//   node scripts/sync-versions.mjs --check  exits 1 when any version differs (part of release:check)
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const npmPackages = ['core', 'web', 'node', 'cli']
const jsrPackages = ['core', 'web', 'deno']
const check = process.argv.includes('--check')

const read = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'))
const versions = new Map(npmPackages.map((name) => [`packages/${name}/package.json`, read(`packages/${name}/package.json`).version]))
const distinct = [...new Set(versions.values())]
if (distinct.length !== 1) {
  console.error(
    `✗ the npm packages must share one version (changesets fixed group): ${[...versions].map(([p, v]) => `${p} ${v}`).join(', ')}`,
  )
  process.exit(1)
}
const [version] = distinct

let wrong = 0
for (const name of jsrPackages) {
  const path = `packages/${name}/deno.json`
  const config = read(path)
  if (config.version === version) continue
  if (check) {
    console.error(`✗ ${path} has version ${config.version}, the npm packages ${version}: run \`pnpm version-packages\``)
    wrong++
  } else {
    config.version = version
    writeFileSync(join(root, path), `${JSON.stringify(config, null, 2)}\n`)
    console.log(`${path}: ${version}`)
  }
}
// changesets writes the npm packages' changelogs; @deltafold/deno (JSR only) gets a pointer to them.
const denoLog = join(root, 'packages/deno/CHANGELOG.md')
if (existsSync(denoLog) && !readFileSync(denoLog, 'utf8').includes(`\n## ${version}\n`)) {
  if (check) {
    console.error(`✗ packages/deno/CHANGELOG.md has no ${version} section: run \`pnpm version-packages\``)
    wrong++
  } else {
    const [title, ...rest] = readFileSync(denoLog, 'utf8').split('\n\n')
    const entry = `## ${version}\n\nThe release of \`@deltafold/core\` and \`@deltafold/web\` ${version}: see their changelogs.`
    writeFileSync(denoLog, [title, entry, ...rest].join('\n\n'))
    console.log(`packages/deno/CHANGELOG.md: ${version}`)
  }
}
if (wrong > 0) process.exit(1)
console.log(`versions: npm and JSR packages all at ${version}`)
