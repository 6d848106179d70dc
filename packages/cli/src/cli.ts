import { main } from './main.js'

// SIGINT/SIGTERM stop the command through an AbortSignal so it can clean up: `replay` closes its
// server, reading commands print the partial completion. A second signal exits at once.
const controller = new AbortController()
function stop(how: string): void {
  if (controller.signal.aborted) process.exit(130)
  controller.abort(new Error(how))
}
process.on('SIGINT', () => stop('stopped by Ctrl-C (SIGINT)'))
process.on('SIGTERM', () => stop('stopped by SIGTERM'))
// A reader that goes away (`deltafold sse big.sse | head`) raises EPIPE on stdout; the command
// notices through its own listener and stops. This one keeps a late EPIPE from crashing the process.
process.stdout.on('error', () => {})

main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code
    // Nothing else should keep the process alive once the command is done (stdin left open, timers).
    process.stdin.destroy()
  },
  (error: unknown) => {
    process.stderr.write(`deltafold: unexpected error: ${String(error)}\n`)
    process.exitCode = 1
  },
)
