import { describe, expect, test } from 'vitest'
import type { ChatCompletion } from '@deltafold/core'
import {
  byteByByte,
  message,
  parsePieces,
  recordedFixtures,
  seededRandom,
  splitBytes,
  toolCalls,
  type Loose,
  type RecordedFixture,
} from './chunk-helpers.js'

/**
 * What each recorded stream says, read off its bytes by hand (the values below were checked against
 * the `data:` lines of each file, not copied from our output). Long texts are pinned by their start,
 * end and length.
 */
interface Facts {
  id: string
  model: string
  created: number
  systemFingerprint?: string
  serviceTier?: string
  content: string | null | { start: string; end: string; length: number }
  refusal?: string
  reasoning?: { field: 'reasoning_content' | 'reasoning'; start: string; length: number }
  tools?: Array<{ id: string; name: string; arguments: string }>
  finishReason: string | null
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } & Loose
  /** Provider fields the completion must carry (deep-partial match on the completion). */
  extras?: Loose
}

const FACTS: Record<string, Facts> = {
  'openai-node/gpt-4o-content-logprobs.sse': {
    id: 'chatcmpl-9tZXFsqeQOozn5YU8I6SbjkmDnN76',
    model: 'gpt-4o-2024-08-06',
    created: 1723031665,
    systemFingerprint: 'fp_845eaabc1f',
    content: '{"city":"San Francisco","units":"f"}',
    finishReason: 'stop',
    usage: { prompt_tokens: 17, completion_tokens: 10, total_tokens: 27 },
  },
  'openai-node/gpt-4o-leading-newline-content.sse': {
    id: 'chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe',
    model: 'gpt-4o-2024-08-06',
    created: 1723031664,
    systemFingerprint: 'fp_845eaabc1f',
    content: '\n\n{"city":"San Francisco","units":"c"}',
    finishReason: 'stop',
    usage: { prompt_tokens: 17, completion_tokens: 10, total_tokens: 27 },
  },
  'openai-node/gpt-4o-refusal-logprobs.sse': {
    id: 'chatcmpl-9tZXGacdbmJYO8K50haE4OauaJmPn',
    model: 'gpt-4o-2024-08-06',
    created: 1723031666,
    systemFingerprint: 'fp_2a322c9ffc',
    content: null,
    refusal: "I'm very sorry, but I can't assist with that request.",
    finishReason: 'stop',
    usage: { prompt_tokens: 17, completion_tokens: 13, total_tokens: 30 },
  },
  'openai-node/gpt-4o-structured-output.sse': {
    id: 'chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe',
    model: 'gpt-4o-2024-08-06',
    created: 1723031664,
    systemFingerprint: 'fp_845eaabc1f',
    content: '{"city":"San Francisco","units":"c"}',
    finishReason: 'stop',
    usage: { prompt_tokens: 17, completion_tokens: 10, total_tokens: 27 },
  },
  'semantic-kernel/azure-gpt-4o-async-content-filter.sse': {
    // The first chunk has id "", model "", created 0: the values come from the second.
    id: 'chatcmpl-A1FOCU4vamBSxxqjaKcvADYMlwlaC',
    model: 'gpt-4o-2024-05-13',
    created: 1724860848,
    systemFingerprint: 'fp_abc28019ad',
    content: 'Kindness',
    // The trailing no-delta filter chunks do not reset it.
    finishReason: 'stop',
    extras: {
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: { jailbreak: { filtered: false, detected: false } } }],
      choices: [
        {
          content_filter_offsets: { check_offset: 1576, start_offset: 1576, end_offset: 2318 },
          content_filter_results: {
            protected_material_code: { filtered: false, detected: false },
            hate: { filtered: false, severity: 'safe' },
          },
        },
      ],
    },
  },
  'simonw-llm/openai-gpt-4o-mini-text-after-tool.sse': {
    id: 'chatcmpl-BWlJCN7VZTtSHROczp0AbrjFGhRMA',
    model: 'gpt-4o-mini-2024-07-18',
    created: 1747148050,
    systemFingerprint: 'fp_0392822090',
    serviceTier: 'default',
    content: 'The result of \\( 1231 \\times 2331 \\) is \\( 2,869,461 \\).',
    finishReason: 'stop',
    usage: { prompt_tokens: 87, completion_tokens: 26, total_tokens: 113, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } },
  },
  'simonw-llm/openai-gpt-4o-mini-tool-call.sse': {
    id: 'chatcmpl-BWlJBDk2xe66hjff60joVYpXi1hh4',
    model: 'gpt-4o-mini-2024-07-18',
    created: 1747148049,
    systemFingerprint: 'fp_dbaca60df0',
    serviceTier: 'default',
    content: null,
    tools: [{ id: 'call_1EYWDzueHEp8OsB8jJSEp7WB', name: 'multiply', arguments: '{"a":1231,"b":2331}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 54, completion_tokens: 20, total_tokens: 74 },
  },
  'simonw-llm/openrouter-fireworks-kimi-k2-text.sse': {
    id: 'gen-1753248104-uf1xqJDBrAUCJ4g8apK8',
    model: 'moonshotai/kimi-k2',
    created: 1753248104,
    content: 'The installed version of LLM on this system is 0.fixed-version.',
    finishReason: 'stop',
    usage: { prompt_tokens: 105, completion_tokens: 16, total_tokens: 121, cost: 0.000103 },
    extras: { provider: 'Fireworks', choices: [{ native_finish_reason: 'stop' }] },
  },
  'simonw-llm/openrouter-kimi-k2-text-after-tool.sse': {
    id: 'gen-1753242300-j60LWi6MpN4lMZw1zTHK',
    model: 'moonshotai/kimi-k2',
    created: 1753242300,
    systemFingerprint: 'fpv0_170758dd',
    content: 'The current version of *llm* is **0.fixed-version**.',
    finishReason: 'stop',
    usage: { prompt_tokens: 107, completion_tokens: 15, total_tokens: 122 },
    extras: { provider: 'Moonshot AI' },
  },
  'simonw-llm/openrouter-novita-kimi-k2-tool-args-whole.sse': {
    id: 'gen-1753242299-QZRAt5HJHd1ptY8sdS0s',
    model: 'moonshotai/kimi-k2',
    created: 1753242299,
    content: '',
    // The whole arguments arrive in the first and only tool delta: set-then-append would give "{}{}".
    tools: [{ id: '0', name: 'llm_version', arguments: '{}' }],
    // No finish_reason anywhere in the stream: null, no exception.
    finishReason: null,
    usage: { prompt_tokens: 57, completion_tokens: 17, total_tokens: 74 },
    extras: { provider: 'Novita' },
  },
  'simonw-llm/openrouter-novita-kimi-k2-tool-name-no-args-first.sse': {
    id: 'gen-1753248108-FGOxpkEzFEwhNKSPpI4a',
    model: 'moonshotai/kimi-k2',
    created: 1753248108,
    systemFingerprint: 'fpv0_170758dd',
    content: '',
    // The first tool delta has no arguments key at all.
    tools: [{ id: 'llm_version:0', name: 'llm_version', arguments: '{}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 56, completion_tokens: 12, total_tokens: 68 },
  },
  'simonw-llm/openrouter-novita-kimi-k2-tool-name-repeated.sse': {
    id: 'gen-1753242299-QZRAt5HJHd1ptY8sdS0s',
    model: 'moonshotai/kimi-k2',
    created: 1753242299,
    content: '',
    // id "0" and name repeated on both tool deltas: never "llm_versionllm_version".
    tools: [{ id: '0', name: 'llm_version', arguments: '{}' }],
    finishReason: null,
    usage: { prompt_tokens: 57, completion_tokens: 17, total_tokens: 74 },
  },
  'vercel-ai/alibaba-qwen-reasoning.sse': {
    id: 'chatcmpl-3792851e-8f1b-9182-a1dc-b84603c81344',
    model: 'qwen3-max',
    created: 1770764942,
    content: { start: 'The word **"strawberry"** contains **3** instances', end: '**Answer: 3**', length: 816 },
    reasoning: { field: 'reasoning_content', start: `We are asked: "How many 'r's are in the word 'strawberry'?"`, length: 3301 },
    finishReason: 'stop',
    usage: { prompt_tokens: 24, completion_tokens: 1355, total_tokens: 1379, completion_tokens_details: { reasoning_tokens: 1084 } },
  },
  'vercel-ai/alibaba-qwen-text.sse': {
    id: 'chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733',
    model: 'qwen3-max',
    created: 1770764906,
    content: { start: '## The Festival of Shared Stories: "Taleweave Day"', end: 'We are woven together."*', length: 3771 },
    finishReason: 'stop',
    usage: { prompt_tokens: 18, completion_tokens: 779, total_tokens: 797 },
  },
  'vercel-ai/alibaba-qwen3-max-tool-call.sse': {
    id: 'chatcmpl-8e243c57-23b3-9db2-a02e-e3c53929c368',
    model: 'qwen3-max',
    created: 1770764938,
    content: null,
    // Continuation deltas carry id "" and type on every delta: the first id stays.
    tools: [{ id: 'call_eee11723464a4b9eb8cee71d', name: 'weather', arguments: '{"location": "San Francisco"}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 295, completion_tokens: 22, total_tokens: 317 },
  },
  'vercel-ai/anthropic-compat-claude-haiku-4.5-tool-index-1.sse': {
    id: 'msg_sanitized',
    model: 'claude-haiku-4-5-20251001',
    // Sanitized: created is 0 in every chunk.
    created: 0,
    content: 'Reading it.',
    // The only call has wire index 1: output is dense, no placeholder at 0.
    tools: [{ id: 'toolu_sanitized', name: 'read_file', arguments: '{"path": "a.txt"}' }],
    finishReason: 'tool_calls',
  },
  'vercel-ai/azure-model-router-gpt-5-nano.sse': {
    id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt',
    model: 'gpt-5-nano-2025-08-07',
    created: 1762317021,
    content: 'Capital of Denmark.',
    finishReason: 'stop',
    usage: { prompt_tokens: 15, completion_tokens: 78, total_tokens: 93, completion_tokens_details: { reasoning_tokens: 64 } },
    extras: { prompt_filter_results: [{ prompt_index: 0 }] },
  },
  'vercel-ai/cerebras-zai-glm-4.7-step-1.sse': {
    id: 'chatcmpl-9e97f9ca-9626-4ef8-8543-6e3ee7cef659',
    model: 'zai-glm-4.7',
    created: 1779147581,
    systemFingerprint: 'fp_a33c042689e969567008',
    content: null,
    reasoning: { field: 'reasoning', start: 'The user is asking about a "magic number".', length: 423 },
    tools: [{ id: 'bbd2b9d98', name: 'nonUsefulTool', arguments: '{}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 322, completion_tokens: 104, total_tokens: 426 },
    extras: { time_info: { queue_time: 0.00306479 } },
  },
  'vercel-ai/cerebras-zai-glm-4.7-step-2.sse': {
    id: 'chatcmpl-f4bd7eab-cdbc-418d-896a-ea0b8d5e44ce',
    model: 'zai-glm-4.7',
    created: 1779147581,
    systemFingerprint: 'fp_a33c042689e969567008',
    content: '{"result": "2026"}',
    reasoning: { field: 'reasoning', start: 'The nonUsefulTool returned the number 20', length: 461 },
    tools: [{ id: 'e0ecf32e0', name: 'nonUsefulTool', arguments: '{}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 433, completion_tokens: 122, total_tokens: 555 },
  },
  'vercel-ai/deepseek-reasoner-reasoning.sse': {
    id: 'cac7192e-e619-40c6-96b0-ed4276bc03ac',
    model: 'deepseek-reasoner',
    created: 1764661832,
    systemFingerprint: 'fp_eaab8d114b_prod0820_fp8_kvcache',
    content: 'The word "strawberry" contains three "r"s.',
    reasoning: { field: 'reasoning_content', start: 'We need to count the number of the letter "r"', length: 606 },
    finishReason: 'stop',
    usage: { prompt_tokens: 18, completion_tokens: 219, total_tokens: 237, prompt_cache_miss_tokens: 18 },
  },
  'vercel-ai/deepseek-reasoner-tool-call.sse': {
    id: 'cca85624-4056-401f-b220-d77601d1f70d',
    model: 'deepseek-reasoner',
    created: 1764664568,
    systemFingerprint: 'fp_eaab8d114b_prod0820_fp8_kvcache',
    // The finish chunk carries content "" (and reasoning_content null).
    content: '',
    reasoning: { field: 'reasoning_content', start: 'The user is asking for the weather in San Francisco.', length: 191 },
    tools: [{ id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', arguments: '{"location": "San Francisco"}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 339, completion_tokens: 83, total_tokens: 422 },
  },
  'vercel-ai/deepseek-text.sse': {
    id: 'f6117a0b-129d-46fa-b239-78f01c2c5df9',
    model: 'deepseek-chat',
    created: 1764657993,
    systemFingerprint: 'fp_eaab8d114b_prod0820_fp8_kvcache',
    content: { start: '## **Holiday Name:** Starlight Remembrance', end: 'observe 15 minutes of silent looking at', length: 1855 },
    finishReason: 'length',
    usage: { prompt_tokens: 13, completion_tokens: 400, total_tokens: 413 },
  },
  'vercel-ai/groq-llama-3.3-tool-call.sse': {
    id: 'chatcmpl-b610d559-f156-4aca-8827-24b4fe6af54f',
    model: 'llama-3.3-70b-versatile',
    created: 1770770843,
    systemFingerprint: 'fp_f8b414701e',
    content: null,
    tools: [{ id: 'tk85n1k4m', name: 'weather', arguments: '{}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 210, completion_tokens: 15, total_tokens: 225 },
    extras: { x_groq: { id: 'req_01kh52nj5yfcat8hrmvrk2j2hj', seed: 689520654, usage: { total_time: 0.057009128 } } },
  },
  'vercel-ai/groq-reasoning.sse': {
    id: 'chatcmpl-3556c041-562b-471f-9a90-763dbcea5a3f',
    model: 'qwen/qwen3-32b',
    created: 1770770846,
    systemFingerprint: 'fp_78ac7f3229',
    content: { start: 'The word **"strawberry"** is spelled as', end: '**Final Answer**: $\\boxed{3}$', length: 347 },
    reasoning: { field: 'reasoning', start: 'Okay, let me try to figure out how many', length: 2952 },
    finishReason: 'stop',
    usage: { prompt_tokens: 17, completion_tokens: 1107, total_tokens: 1124, completion_tokens_details: { reasoning_tokens: 963 } },
  },
  'vercel-ai/groq-text.sse': {
    id: 'chatcmpl-7eb08824-fb8d-47af-a1f0-3aa786f2d1f3',
    model: 'llama-3.3-70b-versatile',
    created: 1770770839,
    systemFingerprint: 'fp_f8b414701e',
    content: { start: 'Introducing "Luminaria" - a new holiday', end: 'appreciation for the magic of light.', length: 3189 },
    finishReason: 'stop',
    usage: { prompt_tokens: 45, completion_tokens: 662, total_tokens: 707 },
  },
  'vercel-ai/mistral-api-zai-glm-incremental-tool-call.sse': {
    id: '735e434874a24f68a2390b3cab149242',
    model: 'zai-glm-5-2',
    created: 1787234678,
    content: '',
    // The second tool delta has no id and name "": it continues the call at index 0.
    tools: [{ id: 'chatcmpl-tool-9f149c74c42f265b', name: 'webSearchTool', arguments: '{"query": "current Berlin weather"}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 171, completion_tokens: 14, total_tokens: 185 },
  },
  'vercel-ai/mistral-reasoning.sse': {
    id: 'a4e29c5b82f94d67b23e108a7c9df6e1',
    model: 'magistral-medium-2507',
    created: 1769088912,
    content: '2 + 2 = 4',
    // Thinking content parts become reasoning, written back as reasoning_content.
    reasoning: { field: 'reasoning_content', start: 'The user is asking for 2+2. This is basic arithmetic.', length: 60 },
    finishReason: 'stop',
    usage: { prompt_tokens: 10, completion_tokens: 46, total_tokens: 56 },
  },
  'vercel-ai/mistral-small-content-array-thinking.sse': {
    id: 'ed56a5f5c9254b8981e89c2ecfdd6a8d',
    model: 'mistral-small-latest',
    created: 1784737087,
    content: '391',
    reasoning: { field: 'reasoning_content', start: 'Okay, the user is asking for the product of 17 and 23.', length: 335 },
    finishReason: 'stop',
    usage: { prompt_tokens: 28, completion_tokens: 139, total_tokens: 167 },
  },
  'vercel-ai/mistral-text.sse': {
    id: '5319bd0299614c679a0068a4f2c8ffd0',
    model: 'mistral-small-latest',
    created: 1769088720,
    content: 'Hello, world! This is a test response.',
    finishReason: 'stop',
    usage: { prompt_tokens: 13, completion_tokens: 8, total_tokens: 21 },
  },
  'vercel-ai/mistral-tool-call.sse': {
    id: 'b3999b8c93e04e11bcbff7bcab829667',
    model: 'mistral-small-latest',
    created: 1769088854,
    content: '',
    // No index, no type; the whole call in the finish chunk.
    tools: [{ id: 'gSIMJiOkT', name: 'weather', arguments: '{"location": "San Francisco"}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 124, completion_tokens: 22, total_tokens: 146 },
  },
  'vercel-ai/neon-gateway-bedrock-claude-haiku.sse': {
    id: 'msg_bdrk_016S1huWcQcYEz2h6prFFrAc',
    model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    created: 1781150468,
    content: '1\n2\n3\n4\n5',
    finishReason: 'stop',
    // completion_tokens and total_tokens are null until the last chunk: a null never overwrites.
    usage: { prompt_tokens: 16, completion_tokens: 13, total_tokens: 29, cache_read_input_tokens: 0 },
  },
  'vercel-ai/openai-gpt-4o-obfuscation-step-1.sse': {
    id: 'chatcmpl-E6yvi7cuDcHZEHTMxcLDyf3CMKIO2',
    model: 'gpt-4o-2024-08-06',
    created: 1785332890,
    systemFingerprint: 'fp_627de6ad19',
    serviceTier: 'default',
    content: 'PRE_TOOL',
    tools: [{ id: 'call_NZa7xqfefoaMI2YYHowVXVlU', name: 'weather', arguments: '{}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 58, completion_tokens: 12, total_tokens: 70 },
  },
  'vercel-ai/openai-gpt-4o-obfuscation-step-2.sse': {
    id: 'chatcmpl-E6yvkr7hjcsBF18tAhF6z9yBFDts4',
    model: 'gpt-4o-2024-08-06',
    created: 1785332892,
    systemFingerprint: 'fp_627de6ad19',
    serviceTier: 'default',
    content: 'POST_TOOL',
    finishReason: 'stop',
    usage: { prompt_tokens: 86, completion_tokens: 2, total_tokens: 88 },
  },
  'vercel-ai/openai-gpt-text.sse': {
    id: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0',
    model: 'gpt-4.1-nano-2025-04-14',
    created: 1770933892,
    systemFingerprint: 'fp_de604bd877',
    serviceTier: 'default',
    content: { start: '**Holiday Name:** Harmony Day', end: 'shared human experiences and mutual respect.', length: 1724 },
    finishReason: 'stop',
    usage: { prompt_tokens: 16, completion_tokens: 300, total_tokens: 316 },
  },
  'vercel-ai/perplexity-sonar-citations.sse': {
    id: '58cb9740-f356-49e9-b71e-a02a1376c1b9',
    model: 'sonar',
    created: 1770768240,
    content: 'The current population of **[2][3]',
    finishReason: 'stop',
    // Cumulative usage on every chunk: the last wins, never the sum.
    usage: { prompt_tokens: 10, completion_tokens: 336, total_tokens: 346 },
    extras: { citations: expect.arrayContaining(['https://en.wikipedia.org/wiki/San_Francisco']) },
  },
  'vercel-ai/perplexity-sonar-text.sse': {
    id: 'a3d55d44-63f9-4704-bb26-e17be1ddab3a',
    model: 'sonar',
    // Later chunks say 1770768237: the first non-empty value wins.
    created: 1770768233,
    content: '**EcoVista Day**[1][5]',
    finishReason: 'stop',
    usage: { prompt_tokens: 11, completion_tokens: 434, total_tokens: 445 },
  },
  'vercel-ai/xai-grok-3-mini-tool-call.sse': {
    id: 'de9d896d-e946-b3a7-bb14-75ab33326930',
    model: 'grok-3-mini',
    created: 1770774064,
    systemFingerprint: 'fp_2a885414fb',
    content: null,
    reasoning: { field: 'reasoning_content', start: 'First, the user is', length: 18 },
    tools: [{ id: 'call_55117580', name: 'weather', arguments: '{"location":"San Francisco"}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 291, completion_tokens: 26, total_tokens: 513, cost_in_usd_ticks: 1330500 },
  },
  'vercel-ai/xai-text.sse': {
    id: '7327b9f5-1c2f-0a15-3fef-c14a71c460d3',
    model: 'grok-3-mini',
    created: 1770774058,
    systemFingerprint: 'fp_2a885414fb',
    content: 'Hello',
    reasoning: { field: 'reasoning_content', start: 'First, the user said', length: 20 },
    finishReason: 'stop',
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 303 },
  },
  'vercel-ai/xai-via-openai-compatible-text.sse': {
    id: 'f0f0f217-c24d-1fee-5fe3-28fa1d3c8c94',
    model: 'grok-3-mini',
    created: 1770772287,
    systemFingerprint: 'fp_2a885414fb',
    content: 'Grok',
    reasoning: { field: 'reasoning_content', start: 'First, the user said: "Say a single word."', length: 1455 },
    finishReason: 'stop',
    usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 354 },
  },
  'vercel-ai/xai-via-openai-compatible-tool-call.sse': {
    id: '7027d986-3c59-a37a-9a5f-50713e01c8a6',
    model: 'grok-3-mini',
    created: 1770772293,
    systemFingerprint: 'fp_2a885414fb',
    content: null,
    reasoning: { field: 'reasoning_content', start: 'First, the user is asking about the weather in San Francisco.', length: 1069 },
    tools: [{ id: 'call_79382389', name: 'weather', arguments: '{"location":"San Francisco"}' }],
    finishReason: 'tool_calls',
    usage: { prompt_tokens: 307, completion_tokens: 26, total_tokens: 560 },
  },
}

const fixtures = recordedFixtures()

test('every recorded stream has a row of facts, and every row a stream', () => {
  expect(fixtures.map((f) => f.name).sort()).toEqual(Object.keys(FACTS).sort())
  expect(fixtures.length).toBeGreaterThanOrEqual(40)
})

// The whole suite runs with the chunk fast path (the default) and without it: both must tell every
// recorded stream's story (fast-path.test.ts checks that they agree byte for byte).
describe.each([true, false])('fastPath: %s', (fastPath) => {
  const options = { fastPath }

  function parseWhole(fixture: RecordedFixture): ChatCompletion {
    const { completion, error } = parsePieces([fixture.bytes], options)
    if (error !== undefined) throw error
    return completion!
  }

  test.each(fixtures.filter((f) => f.expected !== undefined).map((f) => [f.name, f] as const))(
    '%s: equals the completion the source project asserts (*.expected.json)',
    (_name, fixture) => {
      // Exact equality: these completions carry no provider extras, so no deep-partial match is needed.
      expect(parseWhole(fixture)).toEqual(fixture.expected)
    },
  )

  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (name, fixture) => {
    const facts = FACTS[name]!

    test('accumulates without throwing into the completion the stream describes', () => {
      const completion = parseWhole(fixture)
      expect(completion.object).toBe('chat.completion')
      expect(completion.id).toBe(facts.id)
      expect(completion.model).toBe(facts.model)
      expect(completion.created).toBe(facts.created)
      expect(completion.system_fingerprint).toBe(facts.systemFingerprint)
      expect(completion.service_tier).toBe(facts.serviceTier)
      expect(completion.choices).toHaveLength(1)
      const choice = completion.choices[0]!
      expect(choice.index).toBe(0)
      expect(choice.finish_reason).toBe(facts.finishReason)
      const msg = message(completion)
      expect(msg.role).toBe('assistant')
      const content = facts.content
      if (content === null || typeof content === 'string') expect(msg.content).toBe(content)
      else {
        expect(msg.content).toBeTypeOf('string')
        const text = msg.content as string
        expect(text.startsWith(content.start), `content starts with ${JSON.stringify(content.start)}`).toBe(true)
        expect(text.endsWith(content.end), `content ends with ${JSON.stringify(content.end)}`).toBe(true)
        expect(text).toHaveLength(content.length)
      }
      expect(msg.refusal).toBe(facts.refusal ?? null)
      if (facts.reasoning) {
        const other = facts.reasoning.field === 'reasoning' ? 'reasoning_content' : 'reasoning'
        const text = msg[facts.reasoning.field] as string
        expect(text.startsWith(facts.reasoning.start)).toBe(true)
        expect(text).toHaveLength(facts.reasoning.length)
        expect(msg).not.toHaveProperty(other)
      } else {
        expect(msg).not.toHaveProperty('reasoning_content')
        expect(msg).not.toHaveProperty('reasoning')
      }
      if (facts.tools) {
        expect(toolCalls(completion).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }))).toEqual(
          facts.tools,
        )
        for (const call of toolCalls(completion)) expect(call.type).toBe('function')
      } else expect(msg).not.toHaveProperty('tool_calls')
      if (facts.usage) expect(completion.usage).toMatchObject(facts.usage)
      else expect(completion).not.toHaveProperty('usage')
      if (facts.extras) expect(completion).toMatchObject(facts.extras)
      // Padding fields stay on the raw chunks.
      expect(completion).not.toHaveProperty('obfuscation')
      expect(completion).not.toHaveProperty('p')
      expect(JSON.parse(JSON.stringify(completion))).toEqual(completion)
    })

    test('gives the same completion fed one byte at a time', () => {
      const { completion, error } = parsePieces(byteByByte(fixture.bytes), options)
      expect(error).toBeUndefined()
      expect(completion).toEqual(parseWhole(fixture))
    })

    test('gives the same completion at random splits (seeded)', () => {
      const whole = parseWhole(fixture)
      const random = seededRandom(fixture.bytes.length)
      for (let run = 0; run < 5; run++) {
        const cuts = Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * fixture.bytes.length))
        const { completion, error } = parsePieces(splitBytes(fixture.bytes, cuts), options)
        expect(error).toBeUndefined()
        expect(completion).toEqual(whole)
      }
    })

    test('emits events that tell the same story as the completion', () => {
      const { completion, events, error } = parsePieces([fixture.bytes], options)
      expect(error).toBeUndefined()
      const msg = message(completion!)
      const content = events.flatMap((e) => (e.type === 'content.delta' ? [e.delta] : [])).join('')
      expect(content).toBe(msg.content ?? '')
      const reasoning = events.flatMap((e) => (e.type === 'reasoning.delta' ? [e.delta] : [])).join('')
      expect(reasoning).toBe((msg.reasoning_content ?? msg.reasoning ?? '') as string)
      const starts = events.filter((e) => e.type === 'tool_call.start')
      const dones = events.flatMap((e) => (e.type === 'tool_call.done' ? [e] : []))
      const calls = toolCalls(completion!)
      expect(starts).toHaveLength(calls.length)
      expect(dones.map((e) => ({ id: e.id, name: e.name, arguments: e.arguments }))).toEqual(
        calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
      )
      const finishes = events.flatMap((e) => (e.type === 'finish' ? [e.finishReason] : []))
      expect(finishes.at(-1) ?? null).toBe(completion!.choices[0]!.finish_reason)
      expect(events[0]!.type).toBe('chunk')
      expect(events.at(-1)).toEqual({ type: 'done', completion })
    })
  })
})
