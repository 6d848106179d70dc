/** A writable end the CLI prints to: `process.stdout`, `process.stderr`, or any Node `Writable`. */
export interface CliOutput {
  write(chunk: string): boolean
  once(event: 'drain', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'drain' | 'error', listener: (...args: never[]) => void): unknown
  /** `true` for a terminal: enables live text in `fetch` and colours. */
  isTTY?: boolean
}

/** What {@link main} reads from and writes to; the real process in `cli.js`, fakes in tests. */
export interface CliIO {
  /** Read for `-` (or no FILE): `process.stdin` or any async iterable of `Uint8Array`/string chunks. */
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean }
  stdout: CliOutput
  stderr: CliOutput
  /** Environment: `OPENAI_API_KEY`, `NO_COLOR`, `FORCE_COLOR`, `TERM`. */
  env: Record<string, string | undefined>
  /** Directory relative FILE paths resolve against. @defaultValue `process.cwd()` */
  cwd?: string
  /**
   * Stops the command: `replay` shuts its server down and returns 0; reading commands cancel the
   * input, print the partial completion and return 130. `cli.js` fires it on SIGINT and SIGTERM.
   */
  signal?: AbortSignal
}
