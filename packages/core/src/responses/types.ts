/**
 * The OpenAI Responses API shapes deltafold reads and builds, defined here so that core has no
 * dependencies. Where the `openai` package has a type of the same name, the `openai` value is
 * assignable to ours (checked by `test/types/responses-types.test-d.ts`), and for the items a client
 * acts on (messages, function calls, custom tool calls, reasoning) ours is assignable to theirs.
 * Server-side tool items (web and file search, code interpreter, image generation, shell, MCP, …) are
 * kept as the objects the wire sent, typed by their `type` only.
 */

/** Status of a response. */
export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete'

/** Token counts of a response. */
export interface ResponseUsage {
  input_tokens: number
  input_tokens_details: { cached_tokens: number }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number }
  total_tokens: number
}

/** The error of a failed response (`response.error`); providers send codes beyond openai's list. */
export interface ResponseError {
  code: string
  message: string
}

/** One token's log probability in an `output_text` part. */
export interface ResponseOutputTextLogprob {
  token: string
  bytes: Array<number>
  logprob: number
  top_logprobs: Array<{ token: string; bytes: Array<number>; logprob: number }>
}

/** An annotation of an `output_text` part (citations and file paths). */
export type ResponseOutputTextAnnotation =
  | { file_id: string; filename: string; index: number; type: 'file_citation' }
  | { end_index: number; start_index: number; title: string; type: 'url_citation'; url: string }
  | { container_id: string; end_index: number; file_id: string; filename: string; start_index: number; type: 'container_file_citation' }
  | { file_id: string; index: number; type: 'file_path' }

/** One token's log probability as a text delta event carries it. */
export interface ResponseTextDeltaLogprob {
  token: string
  logprob: number
  top_logprobs?: Array<{ token?: string; logprob?: number }>
}

/** A text part of a message. */
export interface ResponseOutputText {
  annotations: Array<ResponseOutputTextAnnotation>
  text: string
  type: 'output_text'
  logprobs?: Array<ResponseOutputTextLogprob>
}

/** A refusal part of a message. */
export interface ResponseOutputRefusal {
  refusal: string
  type: 'refusal'
}

/** A reasoning text part (`content` of a reasoning item, from models that stream raw reasoning). */
export interface ResponseReasoningText {
  text: string
  type: 'reasoning_text'
}

/** A reasoning summary part. */
export interface ResponseReasoningSummary {
  text: string
  type: 'summary_text'
}

/** An assistant message item: text and refusal parts. */
export interface ResponseOutputMessage {
  id: string
  content: Array<ResponseOutputText | ResponseOutputRefusal>
  role: 'assistant'
  status: 'in_progress' | 'completed' | 'incomplete'
  type: 'message'
  phase?: 'commentary' | 'final_answer' | null
}

/** A function tool call item; `arguments` is the JSON text as streamed. */
export interface ResponseFunctionToolCall {
  arguments: string
  call_id: string
  name: string
  type: 'function_call'
  id?: string
  namespace?: string
  status?: 'in_progress' | 'completed' | 'incomplete'
}

/** A custom (free-form input) tool call item. */
export interface ResponseCustomToolCall {
  call_id: string
  input: string
  name: string
  type: 'custom_tool_call'
  id?: string
  namespace?: string
}

/** A reasoning item: summary parts, optional raw reasoning text, optional encrypted content. */
export interface ResponseReasoningItem {
  id: string
  summary: Array<ResponseReasoningSummary>
  type: 'reasoning'
  content?: Array<ResponseReasoningText>
  encrypted_content?: string | null
  status?: 'in_progress' | 'completed' | 'incomplete'
}

/** The `type` of the output items deltafold keeps as the objects the wire sent. */
export type ResponseServerItemType =
  | 'file_search_call'
  | 'web_search_call'
  | 'computer_call'
  | 'code_interpreter_call'
  | 'image_generation_call'
  | 'local_shell_call'
  | 'shell_call'
  | 'shell_call_output'
  | 'apply_patch_call'
  | 'apply_patch_call_output'
  | 'mcp_call'
  | 'mcp_list_tools'
  | 'mcp_approval_request'
  | 'tool_search_call'
  | 'tool_search_output'
  | 'compaction'

/**
 * A server-side tool item (searches, code interpreter, image generation, shell, apply_patch, MCP …),
 * kept with every field it arrived with; its streamed parts (code, command, diff, MCP arguments) are
 * folded into the fields the API names for them.
 */
export interface ResponseServerToolItem {
  type: ResponseServerItemType
  id?: string
  status?: string
}

/** One item of `response.output`. Items of types not listed here are kept too, as they arrived. */
export type ResponseOutputItem =
  | ResponseOutputMessage
  | ResponseFunctionToolCall
  | ResponseCustomToolCall
  | ResponseReasoningItem
  | ResponseServerToolItem

/** A Responses API response: what `response.completed` carries and what the fold builds. */
export interface Response {
  id: string
  object: 'response'
  created_at: number
  model: string
  output: Array<ResponseOutputItem>
  status?: ResponseStatus
  error: ResponseError | null
  incomplete_details: { reason?: 'max_output_tokens' | 'content_filter' } | null
  usage?: ResponseUsage | null
  previous_response_id?: string | null
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | null
  max_output_tokens?: number | null
  parallel_tool_calls?: boolean
  temperature?: number | null
  top_p?: number | null
  background?: boolean | null
  completed_at?: number | null
  metadata?: Record<string, string> | null
}

/** The part types that `response.content_part.added` / `.done` carry. */
export type ResponseContentPart = ResponseOutputText | ResponseOutputRefusal | ResponseReasoningText

interface Sequenced {
  /** The event's number in its stream (absent from some gateways and hand-written streams). */
  sequence_number?: number
}

/** `response.created`, `response.in_progress`, `response.queued`: the response so far (usually empty `output`). */
export interface ResponseLifecycleEvent extends Sequenced {
  type: 'response.created' | 'response.in_progress' | 'response.queued'
  response: Response
}

/** `response.completed`, `response.incomplete`, `response.failed`: the final response, authoritative. */
export interface ResponseTerminalEvent extends Sequenced {
  type: 'response.completed' | 'response.incomplete' | 'response.failed'
  response: Response
}

/** An output item starts (`added`, usually with empty text fields) or is complete (`done`). */
export interface ResponseOutputItemEvent extends Sequenced {
  type: 'response.output_item.added' | 'response.output_item.done'
  output_index: number
  item: ResponseOutputItem
}

/** A content part of a message (or reasoning item) starts or is complete. */
export interface ResponseContentPartEvent extends Sequenced {
  type: 'response.content_part.added' | 'response.content_part.done'
  output_index: number
  content_index: number
  item_id: string
  part: ResponseContentPart
}

/** A piece of text of an `output_text` part. */
export interface ResponseTextDeltaEvent extends Sequenced {
  type: 'response.output_text.delta'
  output_index: number
  content_index: number
  item_id: string
  delta: string
  logprobs?: Array<ResponseTextDeltaLogprob>
}

/** The whole text of an `output_text` part. */
export interface ResponseTextDoneEvent extends Sequenced {
  type: 'response.output_text.done'
  output_index: number
  content_index: number
  item_id: string
  text: string
  logprobs?: Array<ResponseTextDeltaLogprob>
}

/** An annotation (citation) of an `output_text` part. */
export interface ResponseTextAnnotationEvent extends Sequenced {
  type: 'response.output_text.annotation.added'
  output_index: number
  content_index: number
  annotation_index: number
  item_id: string
  annotation: unknown
}

/** A piece of a refusal part. */
export interface ResponseRefusalDeltaEvent extends Sequenced {
  type: 'response.refusal.delta'
  output_index: number
  content_index: number
  item_id: string
  delta: string
}

/** The whole refusal. */
export interface ResponseRefusalDoneEvent extends Sequenced {
  type: 'response.refusal.done'
  output_index: number
  content_index: number
  item_id: string
  refusal: string
}

/** A piece of a function call's JSON arguments. `partial` is added by deltafold with `parseArguments`. */
export interface ResponseFunctionCallArgumentsDeltaEvent extends Sequenced {
  type: 'response.function_call_arguments.delta'
  output_index: number
  item_id: string
  delta: string
  /** The arguments parsed so far (only with `parseArguments`; a live value, copy it to keep it). */
  partial?: unknown
}

/** The whole arguments of a function call. */
export interface ResponseFunctionCallArgumentsDoneEvent extends Sequenced {
  type: 'response.function_call_arguments.done'
  output_index: number
  item_id: string
  arguments: string
  name?: string
}

/** A piece of a custom tool call's input. */
export interface ResponseCustomToolCallInputDeltaEvent extends Sequenced {
  type: 'response.custom_tool_call_input.delta'
  output_index: number
  item_id: string
  delta: string
}

/** The whole input of a custom tool call. */
export interface ResponseCustomToolCallInputDoneEvent extends Sequenced {
  type: 'response.custom_tool_call_input.done'
  output_index: number
  item_id: string
  input: string
}

/** A reasoning summary part starts or is complete. */
export interface ResponseReasoningSummaryPartEvent extends Sequenced {
  type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done'
  output_index: number
  summary_index: number
  item_id: string
  part: ResponseReasoningSummary
}

/** A piece of a reasoning summary. */
export interface ResponseReasoningSummaryTextDeltaEvent extends Sequenced {
  type: 'response.reasoning_summary_text.delta'
  output_index: number
  summary_index: number
  item_id: string
  delta: string
}

/** The whole text of a reasoning summary part. */
export interface ResponseReasoningSummaryTextDoneEvent extends Sequenced {
  type: 'response.reasoning_summary_text.done'
  output_index: number
  summary_index: number
  item_id: string
  text: string
}

/** A piece of raw reasoning text. */
export interface ResponseReasoningTextDeltaEvent extends Sequenced {
  type: 'response.reasoning_text.delta'
  output_index: number
  content_index: number
  item_id: string
  delta: string
}

/** The whole of a raw reasoning text part. */
export interface ResponseReasoningTextDoneEvent extends Sequenced {
  type: 'response.reasoning_text.done'
  output_index: number
  content_index: number
  item_id: string
  text: string
}

/** The documented flat `error` event (`code`, `message`, `param`); some servers nest an `error` object. */
export interface ResponseErrorEvent extends Sequenced {
  type: 'error'
  code: string | null
  message: string
  param: string | null
}

/**
 * The events of server-side tools and the rest of the catalogue: progress (`in_progress`,
 * `searching`, `interpreting`, `generating`, `completed`, `failed` of an item, which set its
 * `status`), streamed code, commands, diffs and MCP arguments (folded into the item), partial images
 * and audio (passed on, not folded).
 */
export interface ResponseToolProgressEvent extends Sequenced {
  type:
    | 'response.web_search_call.in_progress'
    | 'response.web_search_call.searching'
    | 'response.web_search_call.completed'
    | 'response.file_search_call.in_progress'
    | 'response.file_search_call.searching'
    | 'response.file_search_call.completed'
    | 'response.code_interpreter_call.in_progress'
    | 'response.code_interpreter_call.interpreting'
    | 'response.code_interpreter_call.completed'
    | 'response.code_interpreter_call_code.delta'
    | 'response.code_interpreter_call_code.done'
    | 'response.image_generation_call.in_progress'
    | 'response.image_generation_call.generating'
    | 'response.image_generation_call.partial_image'
    | 'response.image_generation_call.completed'
    | 'response.mcp_list_tools.in_progress'
    | 'response.mcp_list_tools.completed'
    | 'response.mcp_list_tools.failed'
    | 'response.mcp_call.in_progress'
    | 'response.mcp_call.completed'
    | 'response.mcp_call.failed'
    | 'response.mcp_call_arguments.delta'
    | 'response.mcp_call_arguments.done'
    | 'response.shell_call_command.added'
    | 'response.shell_call_command.delta'
    | 'response.shell_call_command.done'
    | 'response.shell_call_output_content.delta'
    | 'response.shell_call_output_content.done'
    | 'response.apply_patch_call_operation_diff.delta'
    | 'response.apply_patch_call_operation_diff.done'
    | 'response.audio.delta'
    | 'response.audio.done'
    | 'response.audio.transcript.delta'
    | 'response.audio.transcript.done'
  output_index?: number
  item_id?: string
}

/**
 * One event of a Responses API stream, as the wire sent it (deltafold only adds `partial` to
 * function-call argument deltas when asked). Events of types not listed are passed on unchanged.
 */
export type ResponseStreamEvent =
  | ResponseLifecycleEvent
  | ResponseTerminalEvent
  | ResponseOutputItemEvent
  | ResponseContentPartEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseTextAnnotationEvent
  | ResponseRefusalDeltaEvent
  | ResponseRefusalDoneEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseCustomToolCallInputDeltaEvent
  | ResponseCustomToolCallInputDoneEvent
  | ResponseReasoningSummaryPartEvent
  | ResponseReasoningSummaryTextDeltaEvent
  | ResponseReasoningSummaryTextDoneEvent
  | ResponseReasoningTextDeltaEvent
  | ResponseReasoningTextDoneEvent
  | ResponseErrorEvent
  | ResponseToolProgressEvent

/** The `type` strings of {@link ResponseStreamEvent}. */
export type ResponseStreamEventType = ResponseStreamEvent['type']
