import { isDeltafoldError } from '@deltafold/core'

/** The exit codes of the CLI; the README and `--help` list the same table. */
export const EXIT = {
  ok: 0,
  /** Anything unexpected: an I/O error reading a file, a bug. */
  failure: 1,
  usage: 2,
  provider: 3,
  malformed: 4,
  http: 5,
  /** 128 + SIGINT, as shells report an interrupted command. */
  interrupted: 130,
} as const

/**
 * Maps an error that ended a stream to an exit code: a provider error payload (in the stream, or a
 * JSON error body where a stream was expected) is 3, an HTTP failure (a non-2xx status, and for
 * `fetch` a connection that broke mid-body) is 5, any other deltafold error (input that is not an
 * event stream, bad JSON, a limit, strict mode) is a malformed stream, 4.
 */
export function exitCodeFor(error: unknown, network: boolean): number {
  if (!isDeltafoldError(error)) return EXIT.failure
  switch (error.code) {
    case 'upstream_error':
      return EXIT.provider
    case 'http_error':
      return EXIT.http
    case 'stream_failed':
      return network ? EXIT.http : EXIT.failure
    case 'aborted':
      return EXIT.interrupted
    default:
      return EXIT.malformed
  }
}

/** Says what kind of failure an exit code stands for, for the message on stderr. */
export function describeExit(code: number, failure?: unknown): string {
  if (isDeltafoldError(failure)) {
    if (failure.code === 'stream_failed') return code === EXIT.http ? 'the connection failed' : 'reading the input failed'
    if (failure.code === 'not_event_stream' || failure.code === 'empty_stream' || failure.code === 'not_streamed')
      return 'not an event stream'
  }
  switch (code) {
    case EXIT.provider:
      return 'the provider sent an error'
    case EXIT.malformed:
      return 'malformed stream'
    case EXIT.http:
      return 'HTTP failure'
    case EXIT.interrupted:
      return 'interrupted (Ctrl-C)'
    default:
      return 'reading the stream failed'
  }
}
