// Packs every published package the way `pnpm publish` would (workspace: ranges rewritten) and runs
// publint and @arethetypeswrong/cli on the tarballs, offline. Part of the README's test command.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const published = ['core', 'web', 'node', 'cli']
const out = join(root, '.tmp/packs')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

// Inside `pnpm <script>` npm_execpath is pnpm itself; outside, fall back to a pnpm on PATH.
const execpath = process.env.npm_execpath
const pnpm = execpath && /pnpm/.test(execpath) ? [process.execPath, execpath] : ['pnpm']
const bin = (name) => join(root, 'node_modules/.bin', name)

let failed = 0
for (const name of published) {
  const dir = join(root, 'packages', name)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (name === 'core' && Object.keys(manifest.dependencies ?? {}).length > 0) {
    console.error(`✗ @deltafold/core must have zero runtime dependencies: ${Object.keys(manifest.dependencies).join(', ')}`)
    failed++
  }
  const before = new Set(readdirSync(out))
  execFileSync(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', out], { cwd: dir, stdio: 'pipe' })
  const tarball = readdirSync(out).find((f) => !before.has(f))
  if (!tarball) throw new Error(`pnpm pack produced no tarball for ${name}`)
  const path = join(out, tarball)
  for (const [tool, args] of [
    ['publint', ['run', path, '--strict']],
    ['attw', [path, '--format', 'ascii', ...(manifest.bin ? ['--ignore-rules', 'cjs-resolves-to-esm'] : [])]],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'pipe', encoding: 'utf8' })
      console.log(`✓ ${tool} ${manifest.name}`)
    } catch (error) {
      failed++
      console.error(`✗ ${tool} ${manifest.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
    }
  }
}
if (failed > 0) {
  console.error(`${failed} package check(s) failed`)
  process.exit(1)
}
console.log(`package checks: publint and arethetypeswrong clean on ${published.length} packages`)
