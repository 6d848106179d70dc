/** Rope flattening: bounds the memory of texts built by appending many small fragments. */

/**
 * Counts one append that made `next` (`current + text`) and flattens `next` when due; returns the
 * appends since the last flatten. Appending with `+` builds a V8 rope that costs ~32 bytes per piece
 * plus a ~40-byte string per fragment until something flattens it: two million one-character deltas
 * held 64 MB for 2 MB of text. Flattening (any character access does it, in place) once
 * `max(FLATTEN_PIECES, length / 64)` pieces have piled up bounds that overhead to half the text at an
 * amortized 64 copied characters per append, whatever the minimum, so the total stays linear
 * (measured: 2 MB held instead of 64 MB, same time).
 */
export function grown(pieces: number, next: string): number {
  if (++pieces >= FLATTEN_PIECES && pieces >= next.length >>> 6) {
    next.charCodeAt(0)
    return 0
  }
  return pieces
}

/**
 * The fewest appends between two flattens. Small, so that short texts stay nearly flat: with 1024,
 * an idle stream 20 chunks in (360 characters) held ~560 bytes more, all rope (many-streams bench, node 20).
 */
export const FLATTEN_PIECES = 8
