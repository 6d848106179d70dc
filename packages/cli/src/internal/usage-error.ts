/**
 * Bad usage of the command line: an unknown option, a missing or unreadable file, a malformed value.
 * The CLI prints the message (which ends with a hint) on one line and exits with code 2.
 */
export class UsageError extends Error {
  override name = 'UsageError'
}
