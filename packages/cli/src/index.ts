export { main } from './main.js'
export type { CliIO, CliOutput } from './cli-io.js'
