// Helpers of the Deno tests: recorded fixtures and servers on an ephemeral loopback port.

const RECORDED = new URL('../../../test/fixtures/recorded/', import.meta.url)

/** The bytes of a recorded fixture, by its path under test/fixtures/recorded. */
export function readFixture(name: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(name, RECORDED))
}

/** A `Deno.serve` server on 127.0.0.1 and a free port, with its base URL. */
export interface TestServer {
  url: string
  shutdown(): Promise<void>
}

/** Serves `handler` on 127.0.0.1, port 0 (the OS picks a free one). */
export function serve(handler: (request: Request) => Response | Promise<Response>): TestServer {
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, handler)
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    shutdown: () => server.shutdown(),
  }
}

/** A stream of `bytes` in pieces of `size`, yielding to the event loop between pieces like a network would. */
export function trickle(
  bytes: Uint8Array,
  size: number,
  options: { hangAtEnd?: boolean; onCancel?: () => void } = {},
): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0))
      if (offset < bytes.length) {
        controller.enqueue(bytes.slice(offset, offset + size))
        offset += size
      } else if (options.hangAtEnd) {
        // Keep the connection open, as a provider still generating would; the test cancels it.
        await new Promise(() => {})
      } else controller.close()
    },
    cancel() {
      options.onCancel?.()
    },
  })
}

/** A promise with its resolve and reject functions, for values delivered through callbacks. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** `promise`, or a rejection after `ms` milliseconds naming `what`, so a hang fails the test instead of stalling it. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
