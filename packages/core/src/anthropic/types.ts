/**
 * The Anthropic Messages shapes deltafold reads and builds, defined here so that core has no
 * dependencies. They follow `@anthropic-ai/sdk`'s types of the same role (checked by a type-level
 * test): an SDK `Message`, content block or stream event is assignable to ours. Ours are looser where
 * the wire is (fields the SDK types as required but streams omit are optional here), and content
 * blocks of types this file does not name are kept at run time as they came.
 */

/** Why the model stopped. Other strings pass through unchanged. */
export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded'

/** Token counts of a message: `message_start`'s, overwritten field by field by `message_delta`'s. */
export interface AnthropicUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation?: { ephemeral_1h_input_tokens: number; ephemeral_5m_input_tokens: number } | null
  server_tool_use?: { web_search_requests: number; web_fetch_requests?: number } | null
  output_tokens_details?: object | null
  service_tier?: string | null
  inference_geo?: string | null
}

/** The usage of a `message_delta` event: cumulative totals; `null` or absent counters leave the message's value. */
export interface AnthropicMessageDeltaUsage {
  output_tokens: number
  input_tokens?: number | null
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
  server_tool_use?: { web_search_requests: number; web_fetch_requests?: number } | null
  output_tokens_details?: object | null
}

/** A citation of a text block (char, page, content-block, web-search or search-result location). */
export interface AnthropicTextCitation {
  type: string
  cited_text: string
}

/** A text block; `citations` grows with `citations_delta` events. */
export interface AnthropicTextBlock {
  type: 'text'
  text: string
  citations?: Array<AnthropicTextCitation> | null
}

/** Extended thinking: `thinking` grows with `thinking_delta`, `signature` is set by `signature_delta`. */
export interface AnthropicThinkingBlock {
  type: 'thinking'
  thinking: string
  signature?: string
}

/** Thinking that was safety-redacted: opaque `data` to pass back unchanged. */
export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking'
  data: string
}

/** Who called a tool: the model directly, or a server tool (programmatic tool calling). */
export interface AnthropicToolCaller {
  type: string
  tool_id?: string
}

/** A client tool call: `input` is `JSON.parse` of the joined `input_json_delta` fragments (`{}` when none). */
export interface AnthropicToolUseBlock {
  type: 'tool_use'
  id: string
  name: string
  input: unknown
  caller?: AnthropicToolCaller
}

/** A server tool call (web search, code execution, tool search…), run by Anthropic; `input` as for tool_use. */
export interface AnthropicServerToolUseBlock {
  type: 'server_tool_use'
  id: string
  name: string
  input: unknown
  caller?: AnthropicToolCaller
}

/** An MCP tool call (beta), run by Anthropic's MCP connector; `input` as for tool_use. */
export interface AnthropicMCPToolUseBlock {
  type: 'mcp_tool_use'
  id: string
  name: string
  server_name: string
  input: unknown
}

/** The `type`s of the server tool result blocks. */
export type AnthropicServerToolResultType =
  | 'web_search_tool_result'
  | 'web_fetch_tool_result'
  | 'code_execution_tool_result'
  | 'bash_code_execution_tool_result'
  | 'text_editor_code_execution_tool_result'
  | 'tool_search_tool_result'
  | 'mcp_tool_result'
  | 'advisor_tool_result'

/** The result of a server tool call, sent whole in `content_block_start`; `content` is kept as it came. */
export interface AnthropicServerToolResultBlock {
  type: AnthropicServerToolResultType
  tool_use_id: string
  content: unknown
  caller?: AnthropicToolCaller
  is_error?: boolean
}

/** A file the code execution container wrote. */
export interface AnthropicContainerUploadBlock {
  type: 'container_upload'
  file_id: string
}

/** Context compaction (beta): `compaction_delta` sets `content` (and `encrypted_content`). */
export interface AnthropicCompactionBlock {
  type: 'compaction'
  content: string | null
  encrypted_content?: string | null
}

/** A model fallback (beta): the message's `model` becomes `to.model`, as the SDK's beta stream does. */
export interface AnthropicFallbackBlock {
  type: 'fallback'
  from: { model: string }
  to: { model: string }
  trigger?: object | null
}

/** Every content block of a message. Blocks of other types are kept at run time as they came. */
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicToolUseBlock
  | AnthropicServerToolUseBlock
  | AnthropicMCPToolUseBlock
  | AnthropicServerToolResultBlock
  | AnthropicContainerUploadBlock
  | AnthropicCompactionBlock
  | AnthropicFallbackBlock

/** An assistant message, as `messages.create` returns it and a stream folds into. */
export interface AnthropicMessage {
  id: string
  type: 'message'
  role: 'assistant'
  content: Array<AnthropicContentBlock>
  model: string
  stop_reason: AnthropicStopReason | (string & {}) | null
  stop_sequence: string | null
  /** Why the model refused (with `stop_reason: 'refusal'`), from `message_delta`. */
  stop_details?: { type: string; category?: string | null; explanation?: string | null } | null
  /** The code-execution container, from `message_start` or `message_delta`. */
  container?: { id: string; expires_at: string } | null
  usage: AnthropicUsage
}

/** A `content_block_delta`'s `delta`. Unknown delta types are ignored, as the SDK does. */
export type AnthropicContentBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'citations_delta'; citation: AnthropicTextCitation }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'compaction_delta'; content: string | null; encrypted_content?: string | null }

/** A `message_delta`'s `delta`: the stop reason and sequence, and other top-level message fields. */
export interface AnthropicMessageDelta {
  stop_reason: AnthropicStopReason | (string & {}) | null
  stop_sequence: string | null
  stop_details?: { type: string; category?: string | null; explanation?: string | null } | null
  container?: { id: string; expires_at: string } | null
}

/** One event of an Anthropic Messages stream, as the wire sends it (the `data:` JSON). */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicContentBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: AnthropicMessageDelta; usage: AnthropicMessageDeltaUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } }

/**
 * The typed events of a folded stream, in wire order: the wire events that change the message (never
 * `ping`, `error` or unknown types), as objects of their own, with what the fold adds:
 * - `content_block_delta` of an `input_json_delta` carries `partial`, the tool input parsed so far
 *   (only with `parseInput: true`; a live value that later deltas keep filling in: copy it to keep it);
 * - `content_block_stop` carries the finished `content_block` (a tool block with its parsed `input`);
 * - `message_stop` carries the final `message`.
 * A duplicated `message_start` for the open message emits nothing.
 */
export type AnthropicMessageEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicContentBlockDelta; partial?: unknown }
  | { type: 'content_block_stop'; index: number; content_block: AnthropicContentBlock }
  | { type: 'message_delta'; delta: AnthropicMessageDelta; usage: AnthropicMessageDeltaUsage }
  | { type: 'message_stop'; message: AnthropicMessage }
