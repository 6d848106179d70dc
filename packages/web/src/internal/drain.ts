/** Reads and discards the events nobody reads, so that the final completion can settle. */
export async function drain(reader: ReadableStreamDefaultReader<unknown>): Promise<void> {
  try {
    while (!(await reader.read()).done) {
      // The events are not wanted, only the completion.
    }
  } catch {
    // Reported through finalChatCompletion().
  } finally {
    reader.releaseLock()
  }
}
