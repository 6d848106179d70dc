import { NORMALIZE_HELP } from './commands/normalize.js'

/** `--help` texts, one per command; `''` is the top-level one. */
export const HELP: Record<string, string> = {
  normalize: NORMALIZE_HELP,
  '': `deltafold - turn the raw bytes of a streaming LLM response into the final chat.completion

Usage
  deltafold [FILE|-] [options]              final chat.completion as pretty JSON on stdout
  deltafold events [FILE|-] [options]       one typed CompletionEvent per line (NDJSON)
  deltafold sse [FILE|-] [options]          raw SSE events, one per line (NDJSON)
  deltafold normalize [FILE|-] [options]    the stream rewritten as a canonical OpenAI stream
  deltafold fetch URL -d BODY [-H H]...     POST to a live endpoint; final JSON on stdout
  deltafold replay FILE [options]           serve a recorded stream as /v1/chat/completions
  deltafold replay --from-completion C.json serve a chat.completion re-encoded as a stream

FILE is a recorded response body. Output of curl -i or curl -D - (status line and headers first) is
recognised: a non-2xx status exits 5 with the body, then the body after the headers is read. With - or
no FILE, stdin is read. example:NAME is a stream shipped with deltafold (example:openai-text,
example:openai-tool-call, example:deepseek-reasoning, example:deepseek-reasoning-tool-call,
example:openai-provider-error). A file whose name is a command (events, sse...) can be passed as ./events.

A stream that ends without data: [DONE] while a choice has no finish_reason or a tool call's
arguments are not valid JSON was probably cut short: a warning line says so on stderr (exit 0).

Three wire formats are read: OpenAI-compatible chat.completion.chunk streams, the OpenAI Responses
API (event: response.*) and Anthropic Messages (message_start, content_block_delta, ...). The format
is detected from the first event (--format overrides) and the result is the chat.completion a
gateway would serve: text as content, thinking/reasoning summaries as reasoning_content, tool use and
function calls as tool_calls, stop reasons and usage mapped. --native prints the format's own object.

Options
  --text                 render content, reasoning (dimmed) and tool calls live on stderr as they
                         stream; the final JSON still goes to stdout
  --stats                bytes, chunks, events, time, MB/s and time to first token on stderr
  --parse-arguments      parse tool arguments as they stream (events carry partial / parsed)
  --strict               treat provider leniencies as errors (exit 4)
  --max-event-bytes N    largest SSE event accepted (default 16777216)
  --format F             the input's wire format: auto (default: detected from the first event),
                         chat, responses or anthropic (a stream of another format is then exit 4)
  --native               print the format's own final object instead of the chat.completion: the
                         Anthropic Message or the Responses Response (a chat stream: its completion)
  -h, --help             this help; deltafold COMMAND --help for a command
  --version              print the version

Exit codes
  0  complete stream               4  malformed stream, or input that is not an event stream
  2  bad usage (with a hint)       5  a non-2xx HTTP status (status and body shown), a failed connection
  3  the provider sent an error    1  anything else (an I/O error)      130  stopped (Ctrl-C)
  On 3 and 4 the partial completion received so far is still printed to stdout (nothing when the
  input was no stream at all), and stderr says what happened and where (event number, byte offset).

Colours (--text) follow the terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 forces them on.

Examples
  deltafold example:openai-text
  deltafold --text --stats example:deepseek-reasoning-tool-call
  curl -isN https://api.openai.com/v1/chat/completions -H "Authorization: Bearer $OPENAI_API_KEY" \\
    -H 'Content-Type: application/json' -d @request.json | deltafold --text
  deltafold events --parse-arguments example:openai-tool-call | grep tool_call.done
  deltafold --text anthropic-capture.sse            (an Anthropic Messages stream, rendered live)
  deltafold --native responses-capture.sse | jq .output
`,
  events: `deltafold events - one typed CompletionEvent per line (NDJSON)

Usage
  deltafold events [FILE|-] [options]

Prints every event of the stream as one JSON object per line, as it is decoded: role,
content.delta, content.done, refusal.delta, refusal.done, reasoning.delta, reasoning.done,
tool_call.start, tool_call.arguments.delta, tool_call.done, logprobs.content.delta,
logprobs.refusal.delta, finish, usage, and done (which carries the final completion). If the stream
fails, the last line is {"type":"error","code",...,"partial":{...}}.

Options
  --chunks               also print the raw {"type":"chunk","chunk":{...}} events
  --text                 render the text live on stdout instead of NDJSON
  --stats                bytes, chunks, events, time, MB/s, time to first token on stderr
  --parse-arguments      tool_call.arguments.delta carries "partial", tool_call.done "parsed"
  --strict               treat provider leniencies as errors (exit 4)
  --max-event-bytes N    largest SSE event accepted (default 16777216)
  --format F             auto (default), chat, responses or anthropic: as for deltafold --help

Memory stays constant in the size of the input; only the completion itself is held (as it must
be, to report it), so it grows with the text the stream carries, not with its bytes.

Each line shows the state at its event and never a later one: with --parse-arguments, the
"partial" of each tool_call.arguments.delta line is the arguments parsed up to that delta.

Examples
  deltafold events example:openai-tool-call
  deltafold events --parse-arguments example:openai-tool-call | grep '"tool_call.arguments.delta"'
  cat response.sse | deltafold events - --stats > events.ndjson
`,
  sse: `deltafold sse - raw Server-Sent Events, one per line (NDJSON)

Usage
  deltafold sse [FILE|-] [options]

Decodes the stream with the WHATWG event-stream rules and prints each dispatched event as
{"type","data","lastEventId"}, each valid retry field as {"retry":N}, and with --comments each
comment line as {"comment":"..."}. Nothing is parsed as JSON. An event left unterminated at the
end of the input is still printed (a browser would drop it; a recorded body often ends that way).
Memory is constant whatever the size of the input.

Options
  --comments             also print comment lines (": keep-alive", OpenRouter's ": PROCESSING")
  --stats                bytes, events, time and MB/s on stderr
  --max-event-bytes N    largest SSE event accepted (default 16777216; exit 4 above it)

Examples
  deltafold sse example:openai-text
  deltafold sse --comments capture.sse | grep comment
  deltafold sse --stats huge.sse > /dev/null
`,
  fetch: `deltafold fetch - stream a chat completion from a live OpenAI-compatible endpoint

Usage
  deltafold fetch URL -d BODY [-H 'Name: value']... [options]

POSTs the request body to URL with "stream": true set for you (and "stream_options":
{"include_usage": true}, so token usage arrives, unless the body sets stream_options), and the header
"Authorization: Bearer $OPENAI_API_KEY" when OPENAI_API_KEY is set (a -H Authorization wins).
While it streams, the text is rendered live on stderr when stderr is a terminal (or with --text);
the final chat.completion is printed as JSON on stdout.

Options
  -d, --data BODY        the request: '{json}', @file.json, or @- to read it from stdin
  -H, --header H         an extra request header 'Name: value' (repeatable)
  --save FILE            also write the response body to FILE, byte for byte as received
  --text                 render live text on stderr even when it is not a terminal
  --stats                bytes, chunks, events, time (from the request), MB/s, time to first token
  --parse-arguments      parse tool arguments as they stream
  --strict               treat provider leniencies as errors (exit 4)
  --max-event-bytes N    largest SSE event accepted (default 16777216)
  --format F             auto (default), chat, responses or anthropic: as for deltafold --help

A non-2xx answer exits 5 with the status and the body on stderr; so does a connection that fails
or breaks. A provider's JSON error exits 3; a 2xx body that is not an event stream (HTML, plain text)
exits 4 with a hint.

Examples
  deltafold fetch https://api.openai.com/v1/chat/completions \\
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}'
  deltafold fetch http://127.0.0.1:8080/v1/chat/completions -d @request.json --stats --save answer.sse
  deltafold fetch https://openrouter.ai/api/v1/chat/completions -H "Authorization: Bearer $KEY" -d @req.json
`,
  replay: `deltafold replay - serve a recorded stream as /v1/chat/completions

Usage
  deltafold replay FILE [--port N] [--host H] [--delay MS] [--split random|line|byte] [--seed N]
  deltafold replay --from-completion COMPLETION.json [--fragment-size N] [options]

Answers every POST /v1/chat/completions (and /chat/completions) with status 200,
Content-Type text/event-stream, and the recorded bytes of FILE, written in pieces the way a
provider's server would, for testing clients. The first line on stdout is the URL to use. It
serves any number of requests until SIGINT or SIGTERM (Ctrl-C), then exits 0.

Options
  --port N               port to listen on (default 8080; 0 picks a free one)
  --host H               address to listen on (default 127.0.0.1)
  --delay MS             pause between writes, in milliseconds (default 0)
  --split MODE           how the bytes are cut into writes (default line):
                           line    one line (with its line ending) per write
                           byte    one byte per write (splits UTF-8 sequences and CRLF pairs)
                           random  pieces of 1 to 256 bytes, from a seeded generator
  --seed N               seed for --split random (default: random, printed on stderr)
  --from-completion      FILE is a chat.completion JSON (as printed by deltafold FILE.sse); it is
                         streamed the way OpenAI would send it, chunk by chunk, ending with [DONE]
  --fragment-size N      with --from-completion: characters of text per chunk (default 4)

FILE may be example:NAME, a stream shipped with deltafold (see deltafold --help).

Examples
  deltafold replay example:openai-text --port 0 --delay 20
  deltafold example:openai-text > completion.json
  deltafold replay --from-completion completion.json --fragment-size 1 --delay 10
  deltafold replay example:openai-tool-call --split byte &
  deltafold fetch http://127.0.0.1:8080/v1/chat/completions -d '{"model":"x","messages":[]}'
`,
}
