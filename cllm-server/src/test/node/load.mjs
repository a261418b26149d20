// A bounded load test of a running cllm server on loopback with the official OpenAI client for Node:
// STREAMS concurrent streaming clients each send REQUESTS requests one after the other (completions,
// MAX_TOKENS tokens each with ignore_eos, seeded sampling). It stops by itself after
// STREAMS x REQUESTS requests (or DEADLINE_S seconds). It checks that no request failed and that no
// token was lost (every stream's text equals the reference output of its prompt and seed, fetched first,
// and its usage counts MAX_TOKENS), and reports throughput and latency percentiles as one JSON line
// prefixed "load: " and a markdown table row. Environment: CLLM_BASE_URL, CLLM_API_KEY, CLLM_MODEL,
// STREAMS (32), REQUESTS (8), MAX_TOKENS (64), DEADLINE_S (600).
import OpenAI from 'openai';

const baseURL = process.env.CLLM_BASE_URL;
const apiKey = process.env.CLLM_API_KEY;
const model = process.env.CLLM_MODEL;
const streams = Number(process.env.STREAMS ?? 32);
const perStream = Number(process.env.REQUESTS ?? 8);
const maxTokens = Number(process.env.MAX_TOKENS ?? 64);
const deadline = Date.now() + 1000 * Number(process.env.DEADLINE_S ?? 600);

const questions = [
  'Tom has 5 apples and buys 7 more. How many apples does he have?',
  'A box holds 12 pencils. How many pencils are in 3 boxes?',
  'Sara had 20 stickers and gave away 8. How many stickers does she have left?',
  'A bus carries 30 people. 11 get off and 6 get on. How many people are on the bus?',
  'Each of 4 friends has 6 marbles. How many marbles do they have together?',
  'A shop sells 15 cakes in the morning and 9 in the afternoon. How many cakes does it sell?',
  'Lily reads 8 pages a day. How many pages does she read in 7 days?',
  'There are 45 birds on a tree and 18 fly away. How many birds are left?',
];
const variants = questions.length;
const params = (v) => ({
  model, prompt: `Question: ${questions[v]}\nAnswer:`, max_tokens: maxTokens, ignore_eos: true,
  temperature: 0.7, seed: 500 + v,
});

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const client = () => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });
const reference = [];
for (let v = 0; v < variants; v++) reference.push((await client().completions.create(params(v))).choices[0].text);

const ttft = [];
const perToken = [];
let errors = 0;
let lost = 0;
let tokens = 0;
let done = 0;
const started = performance.now();
await Promise.all(Array.from({ length: streams }, async (_, s) => {
  const c = client();
  for (let r = 0; r < perStream && Date.now() < deadline; r++) {
    const v = (s + r) % variants;
    try {
      const t0 = performance.now();
      const stream = await c.completions.create({ ...params(v), stream: true, stream_options: { include_usage: true } });
      let first = 0;
      let last = 0;
      let text = '';
      let usage = null;
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const piece = chunk.choices[0]?.text ?? '';
        if (piece.length > 0) {
          last = performance.now();
          if (first === 0) first = last;
        }
        text += piece;
      }
      done++;
      const count = usage ? usage.completion_tokens : 0;
      tokens += count;
      if (text !== reference[v] || count !== maxTokens) lost++;
      if (first > 0) ttft.push(first - t0);
      if (count > 1 && last > first) perToken.push((last - first) / (count - 1));
    } catch (e) {
      errors++;
      console.log(`load: request failed: ${e}`);
    }
  }
}));
const seconds = (performance.now() - started) / 1000;
// The server's own view: batched forwards, their rows and time, tokens per forward pass.
const metrics = await (await fetch(baseURL.replace(/\/v1$/, '') + '/metrics', { headers: { Authorization: `Bearer ${apiKey}` } })).text();
const metric = (name) => Number((metrics.match(new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm')) ?? [])[1] ?? NaN);
const steps = metric('cllm_step_duration_seconds_count');
const summary = {
  streams, requests_per_stream: perStream, max_tokens: maxTokens, requests: done, errors, lost,
  seconds: +seconds.toFixed(2), tokens, tokens_per_s: +(tokens / seconds).toFixed(1),
  requests_per_s: +(done / seconds).toFixed(2),
  ttft_ms_p50: +percentile(ttft, 50).toFixed(1), ttft_ms_p99: +percentile(ttft, 99).toFixed(1),
  token_ms_p50: +percentile(perToken, 50).toFixed(2), token_ms_p99: +percentile(perToken, 99).toFixed(2),
  server_steps: steps, server_step_ms_mean: +(1000 * metric('cllm_step_duration_seconds_sum') / steps).toFixed(2),
  server_rows_per_step: +(metric('cllm_step_rows_sum') / steps).toFixed(1),
  server_tokens_per_iteration: +(metric('cllm_generated_tokens_total') / metric('cllm_iterations_total')).toFixed(2),
};
console.log(`load: ${JSON.stringify(summary)}`);
console.log(`| ${streams} x ${perStream} | ${maxTokens} | ${summary.tokens_per_s} | ${summary.requests_per_s} | `
  + `${summary.ttft_ms_p50} / ${summary.ttft_ms_p99} | ${summary.token_ms_p50} / ${summary.token_ms_p99} | ${errors} | ${lost} |`);
const expected = streams * perStream;
console.log(`load test: ${done - lost} passed, ${errors + lost + (expected - done - errors)} failed`);
process.exit(errors === 0 && lost === 0 && done === expected ? 0 : 1);
