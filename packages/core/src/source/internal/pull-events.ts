import type { StreamPull } from '../pull-stream.js'

/** What {@link pullEvents} returns: the events of one stream, iterable once, and its final result. */
export interface PulledEvents<Event, Result> extends AsyncIterable<Event> {
  /** Resolves with the final result; rejects with the pipeline's error. Drains the events when nobody reads them. */
  final(): Promise<Result>
}

/**
 * The events of a {@link StreamPull} as an async iterable, read only as fast as they are consumed:
 * `streamChatCompletion`, `streamAnthropicMessage` and `streamResponse` are this plus their parser.
 * Breaking out of `for await` stops the loop (`loop.stop()`: the source is cancelled once, the final
 * result rejects `aborted`). On an error the events decoded before it are handed out first, so what a
 * consumer sees does not depend on how the bytes were chunked; an abort stops them at once.
 *
 * @param loop - the pull loop; its parser pushes its events onto `queue`
 * @param queue - the events of the piece just fed (emptied after each pull)
 * @param signal - the loop's abort signal
 * @param name - the entry point, for the message when the iterable is iterated twice
 */
export function pullEvents<Event, Result>(
  loop: StreamPull<Result>,
  queue: Event[],
  signal: AbortSignal | undefined,
  name: string,
): PulledEvents<Event, Result> {
  let resolveFinal!: (result: Result) => void
  let rejectFinal!: (error: unknown) => void
  const final = new Promise<Result>((resolve, reject) => {
    resolveFinal = resolve
    rejectFinal = reject
  })
  // Nobody may be waiting for the final result: don't report an unhandled rejection for it.
  final.catch(() => {})
  // The generator was handed out (to `for await` or to final()'s drain).
  let started = false

  async function* run(): AsyncGenerator<Event, void, undefined> {
    // The stream ended, normally or with an error: no cancellation needed on return().
    let settled = false
    // Next event of `queue` to hand out; the queue holds the events of one fed piece.
    let head = 0
    try {
      for (;;) {
        const more = await loop.pull()
        while (head < queue.length) {
          // An abort stops the events at once, even those already decoded from this piece.
          signal?.throwIfAborted()
          yield queue[head++]!
        }
        queue.length = 0
        head = 0
        if (!more) break
      }
      const result = loop.end()
      settled = true
      resolveFinal(result)
      while (head < queue.length) yield queue[head++]!
    } catch (error) {
      settled = true
      const wrapped = loop.fail(error)
      rejectFinal(wrapped)
      // Hand out the events decoded before the failure (the ones `partial` holds) and only then
      // fail. An abort is the exception: it stops the events at once.
      if (!signal?.aborted) while (head < queue.length) yield queue[head++]!
      throw wrapped
    } finally {
      queue.length = 0
      // The consumer stopped early (break, return, throw in the loop body).
      if (!settled) rejectFinal(loop.stop())
    }
  }

  const iterator = run()
  return {
    [Symbol.asyncIterator]() {
      if (started) throw new TypeError(`This stream can be iterated only once: call ${name}() again for a new one`)
      started = true
      return iterator
    },
    final() {
      if (!started) {
        started = true
        void (async () => {
          try {
            for await (const _ of iterator) {
              // Draining: the events are not wanted, only the result.
            }
          } catch {
            // Reported through `final`.
          }
        })()
      }
      return final
    },
  }
}

/** The `onEvent` of a pulled stream: queues each event for the iterable, then tells the user's `onEvent`. */
export function queueEvents<Event>(queue: Event[], user: ((event: Event) => void) | undefined): (event: Event) => void {
  return user
    ? (event) => {
        queue.push(event)
        user(event)
      }
    : (event) => void queue.push(event)
}

/** Runs a pull loop to its end: the final result, or the loop's one error (see `StreamPull.fail`). */
export async function pullToEnd<Result>(loop: StreamPull<Result>): Promise<Result> {
  try {
    while (await loop.pull()) {
      // Events go to the parser's onEvent as it decodes them.
    }
    return loop.end()
  } catch (error) {
    throw loop.fail(error)
  }
}
