/** Every scenario, in run order, with its full and smoke configurations. */
import * as anthropic from '../scenarios/anthropic.js'
import * as adapters from '../scenarios/adapters.js'
import * as chatText from '../scenarios/chat-text.js'
import * as gateway from '../scenarios/gateway.js'
import * as longEvent from '../scenarios/long-event.js'
import * as manyStreams from '../scenarios/many-streams.js'
import * as oneBuffer from '../scenarios/one-buffer.js'
import * as parallelTools from '../scenarios/parallel-tools.js'
import * as responses from '../scenarios/responses.js'
import * as sseDecode from '../scenarios/sse-decode.js'
import * as toolArgs from '../scenarios/tool-args.js'
import type { ScenarioReport } from './report.js'

export interface Scenario {
  id: string
  run(size: 'full' | 'smoke'): Promise<ScenarioReport>
}

export const scenarios: Scenario[] = [
  { id: 'chat-text', run: (size) => chatText.run(chatText[size]) },
  { id: 'sse-decode', run: (size) => sseDecode.run(sseDecode[size]) },
  { id: 'one-buffer', run: (size) => oneBuffer.run(oneBuffer[size]) },
  { id: 'tool-args', run: (size) => toolArgs.run(toolArgs[size]) },
  { id: 'parallel-tools', run: (size) => parallelTools.run(parallelTools[size]) },
  { id: 'long-event', run: (size) => longEvent.run(longEvent[size]) },
  { id: 'many-streams', run: (size) => manyStreams.run(manyStreams[size]) },
  { id: 'anthropic', run: (size) => anthropic.run(anthropic[size]) },
  { id: 'gateway', run: (size) => gateway.run(gateway[size]) },
  { id: 'adapters', run: (size) => adapters.run(adapters[size]) },
  { id: 'responses', run: (size) => responses.run(responses[size]) },
]
