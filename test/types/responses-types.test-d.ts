// Type-level proof that deltafold's Responses API types line up with the `openai` package's (6.30.1, a
// devDependency of this workspace package). Every check is a compile-time assertion: `tsc -p
// tsconfig.json` at the repository root type-checks this file, and vitest's typecheck mode reports
// each expectTypeOf as a test. A `@ts-expect-error` line proves an assignment does NOT compile, so each
// deliberate difference is pinned, not just commented.
import type {
  Response as OResponse,
  ResponseCustomToolCall as OCustomToolCall,
  ResponseFunctionToolCall as OFunctionToolCall,
  ResponseOutputItem as OOutputItem,
  ResponseOutputMessage as OOutputMessage,
  ResponseOutputRefusal as OOutputRefusal,
  ResponseOutputText as OOutputText,
  ResponseReasoningItem as OReasoningItem,
  ResponseStreamEvent as OStreamEvent,
  ResponseUsage as OUsage,
} from 'openai/resources/responses/responses'
import { expectTypeOf, test } from 'vitest'
import type {
  Response,
  ResponseCustomToolCall,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseUsage,
} from '@deltafold/core'

test('the items a client acts on are assignable both ways', () => {
  expectTypeOf<ResponseOutputMessage>().toExtend<OOutputMessage>()
  expectTypeOf<OOutputMessage>().toExtend<ResponseOutputMessage>()
  expectTypeOf<ResponseOutputText>().toExtend<OOutputText>()
  expectTypeOf<OOutputText>().toExtend<ResponseOutputText>()
  expectTypeOf<ResponseOutputRefusal>().toEqualTypeOf<OOutputRefusal>()
  expectTypeOf<ResponseFunctionToolCall>().toEqualTypeOf<OFunctionToolCall>()
  expectTypeOf<ResponseCustomToolCall>().toEqualTypeOf<OCustomToolCall>()
  expectTypeOf<ResponseReasoningItem>().toExtend<OReasoningItem>()
  expectTypeOf<OReasoningItem>().toExtend<ResponseReasoningItem>()
  expectTypeOf<ResponseUsage>().toExtend<OUsage>()
  expectTypeOf<OUsage>().toExtend<ResponseUsage>()
})

test('every openai output item, response and stream event is assignable to ours', () => {
  expectTypeOf<OOutputItem>().toExtend<ResponseOutputItem>()
  expectTypeOf<OResponse>().toExtend<Response>()
  expectTypeOf<OStreamEvent>().toExtend<ResponseStreamEvent>()
})

test('ours is not assignable to an openai Response, and only for the fields the wire need not send', () => {
  // openai's Response requires `output_text` (an SDK-added convenience, never on the wire), `tools`,
  // `tool_choice`, `instructions` … which hand-written and gateway streams omit; `usage` may be null on
  // the wire; error codes beyond openai's list arrive (`insufficient_quota`); server tool items are kept
  // as objects typed by `type` only.
  expectTypeOf<Response>().not.toExtend<OResponse>()
  // @ts-expect-error output_text and the request echo fields are required by openai's type
  const _r: OResponse = {} as Response
  // With those supplied, the output items are what still differ: server tool items are typed loosely.
  type Completed = Response &
    Pick<OResponse, 'output_text' | 'instructions' | 'metadata' | 'parallel_tool_calls' | 'temperature' | 'tool_choice' | 'tools' | 'top_p'>
  expectTypeOf<Completed>().not.toExtend<OResponse>()
  type ClientItems = Omit<Completed, 'output' | 'usage' | 'error'> & {
    output: Array<ResponseOutputMessage | ResponseFunctionToolCall | ResponseCustomToolCall | ResponseReasoningItem>
    usage?: ResponseUsage
    error: OResponse['error']
  }
  expectTypeOf<ClientItems>().toExtend<OResponse>()
})
