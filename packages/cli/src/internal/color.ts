/** An ANSI style: the codes that switch it on and off (both empty when colours are off). */
export interface Style {
  open: string
  close: string
}

/** The styles the CLI uses, and `paint` to wrap a short label in one. */
export interface Colors {
  enabled: boolean
  dim: Style
  bold: Style
  cyan: Style
  yellow: Style
  red: Style
  paint(style: Style, text: string): string
}

/**
 * Decides whether to colour output going to a stream: `FORCE_COLOR` (anything but `0`/`false`/empty)
 * forces colours on, as in Node's own `tty.getColorDepth`; otherwise `NO_COLOR` (any non-empty
 * value, https://no-color.org) or `TERM=dumb` turns them off; otherwise colours follow `isTTY`.
 */
export function colorEnabled(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  const force = env['FORCE_COLOR']
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false
  if (env['TERM'] === 'dumb') return false
  return isTTY
}

/** Returns the styles; each closes with its own reset (22 for dim/bold, 39 for colours) so they nest. */
export function createColors(enabled: boolean): Colors {
  const style = (open: number, close: number): Style =>
    enabled ? { open: `\x1b[${open}m`, close: `\x1b[${close}m` } : { open: '', close: '' }
  return {
    enabled,
    dim: style(2, 22),
    bold: style(1, 22),
    cyan: style(36, 39),
    yellow: style(33, 39),
    red: style(31, 39),
    paint: (s, text) => s.open + text + s.close,
  }
}
