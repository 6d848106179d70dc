import { DeltafoldError } from '../errors.js'

/** Where an SSE event came from: its 1-based number and, where known, the byte offset of its end. */
export interface EventPosition {
  eventNumber: number
  byteOffset?: number
}

/**
 * Where each decoded SSE event (and the chunk parsed from it) came from, for the stages of a pipeline
 * that see only objects: the adapters' SSE stage records the decoder's event number and byte offset
 * when it dispatches an event, the chunk stage reads them back, so that errors name the same event
 * and byte offset as core's one-stage parser. A WeakMap keeps nothing alive and adds no property to
 * the objects users receive.
 */
const positions = new WeakMap<object, EventPosition>()

/**
 * Records where `item` (an SSE event, or the chunk parsed from one) came from.
 *
 * @param item - the event or chunk object
 * @param position - its event number and byte offset
 * @example
 * ```ts
 * import { eventPositionOf, recordEventPosition } from '@deltafold/core'
 * const event = { type: 'message', data: '{}', lastEventId: '' }
 * recordEventPosition(event, { eventNumber: 3, byteOffset: 120 })
 * eventPositionOf(event) // { eventNumber: 3, byteOffset: 120 }
 * ```
 */
export function recordEventPosition(item: object, position: EventPosition): void {
  positions.set(item, position)
}

/**
 * Where `item` came from, if a stage recorded it (see {@link recordEventPosition}).
 *
 * @param item - the event or chunk object
 * @example
 * ```ts
 * import { eventPositionOf } from '@deltafold/core'
 * eventPositionOf({}) // undefined
 * ```
 */
export function eventPositionOf(item: object): EventPosition | undefined {
  return positions.get(item)
}

/**
 * Adds an event's number, byte offset and data to an error raised while applying it (the
 * accumulator does not know where its input came from), in the words core's parser uses:
 * `… (event 2, byte 237)`. Errors that already carry a position are left as they are.
 *
 * @param error - what was thrown
 * @param position - where the event came from
 * @param data - the event's raw `data`, when known
 * @example
 * ```ts
 * import { DeltafoldError, locateError } from '@deltafold/core'
 * const error = locateError(new DeltafoldError('invalid_index', 'Bad index'), { eventNumber: 2, byteOffset: 237 }) as DeltafoldError
 * error.message // 'Bad index (event 2, byte 237)'
 * ```
 */
export function locateError(error: unknown, position: EventPosition, data?: string): unknown {
  if (error instanceof DeltafoldError && error.eventNumber === undefined) {
    error.eventNumber = position.eventNumber
    if (position.byteOffset !== undefined) error.byteOffset = position.byteOffset
    if (data !== undefined) error.data ??= data
    error.message +=
      position.byteOffset === undefined
        ? ` (event ${position.eventNumber})`
        : ` (event ${position.eventNumber}, byte ${position.byteOffset})`
  }
  return error
}
