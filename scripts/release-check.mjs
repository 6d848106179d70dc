// `pnpm release:check`: everything a release needs, without network and without publishing.
//   1. build, then the README's test command (typecheck, lint, every test, publint + attw on the packs)
//   2. one version everywhere (npm fixed group and the JSR deno.json files)
//   3. `npm pack --dry-run` of each npm package: the tarball holds dist/, README.md, LICENSE and
//      package.json, nothing else (the CLI also ships examples/)
//   4. `deno publish --dry-run` of the Deno workspace: source exports, no slow types, no `dist/`
// Exits non-zero at the first failing step. `--skip-test` skips step 1 (to re-run the packaging steps
// after a full run on the same tree).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const execpath = process.env.npm_execpath
const pnpm = execpath && /pnpm/.test(execpath) ? [process.execPath, execpath] : ['pnpm']

function step(title, command, args, options = {}) {
  console.log(`\n▶ ${title}: ${[command, ...args].join(' ')}`)
  return execFileSync(command, args, { cwd: root, stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options })
}

if (process.argv.includes('--skip-test')) step('build only (--skip-test)', pnpm[0], [...pnpm.slice(1), 'build'])
else step('build and the README test command', pnpm[0], [...pnpm.slice(1), 'test'])
step('versions', process.execPath, ['scripts/sync-versions.mjs', '--check'])

const allowed = {
  core: /^(dist\/.+|README\.md|LICENSE|package\.json)$/,
  web: /^(dist\/.+|README\.md|LICENSE|package\.json)$/,
  node: /^(dist\/.+|README\.md|LICENSE|package\.json)$/,
  cli: /^(dist\/.+|examples\/.+|README\.md|LICENSE|package\.json)$/,
}
for (const [name, pattern] of Object.entries(allowed)) {
  const json = step(`npm pack --dry-run @deltafold/${name}`, 'npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(root, 'packages', name),
    capture: true,
  })
  const files = JSON.parse(json)[0].files.map((file) => file.path)
  const stray = files.filter((path) => !pattern.test(path))
  const missing = ['README.md', 'LICENSE', 'package.json'].filter((path) => !files.includes(path))
  if (!files.some((path) => path.startsWith('dist/'))) missing.push('dist/')
  if (stray.length > 0 || missing.length > 0) {
    console.error(`✗ @deltafold/${name} tarball: unexpected ${JSON.stringify(stray)}, missing ${JSON.stringify(missing)}`)
    process.exit(1)
  }
  console.log(`✓ @deltafold/${name}: ${files.length} files (${files.filter((p) => !p.startsWith('dist/')).join(', ')} and dist/)`)
}

// Offline: a dry run resolves the members inside the workspace and never asks the registry.
// --allow-dirty: release:check runs before the release commit (and after `pnpm build` writes dist/),
// so the git tree is not clean; the real publish runs from the tagged commit without it.
step('deno publish --dry-run', join(root, 'node_modules/.bin/deno'), ['publish', '--dry-run', '--allow-dirty'], {
  env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' },
})
console.log('\nrelease check passed: nothing was published')
