// Drives a running cllm server with the official OpenAI client for Node: models, completions and chat,
// streamed and not, several clients at once, and a client that disconnects midway. Every streamed or
// concurrent output must equal the same request's output run alone (seeded), so nothing is garbled,
// lost or mixed between requests. Environment: CLLM_BASE_URL (.../v1), CLLM_API_KEY, CLLM_MODEL.
// Exits 1 when a check fails; the last line reads "N passed, N failed".
import OpenAI from 'openai';

const baseURL = process.env.CLLM_BASE_URL;
const apiKey = process.env.CLLM_API_KEY;
const model = process.env.CLLM_MODEL;
let passed = 0;
let failed = 0;

function check(condition, what) {
  if (condition) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL: ${what}`);
  }
}

const client = () => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

const questions = [
  'Tom has 5 apples and buys 7 more. How many apples does he have?',
  'A box holds 12 pencils. How many pencils are in 3 boxes?',
  'Sara had 20 stickers and gave away 8. How many stickers does she have left?',
  'A bus carries 30 people. 11 get off and 6 get on. How many people are on the bus?',
];

// Requests of every kind: completions and chat, greedy and sampled, AR and Jacobi block sizes.
const requests = [];
for (let i = 0; i < 8; i++) {
  const q = questions[i % questions.length];
  const common = {
    model,
    max_tokens: 40 + 8 * (i % 3),
    temperature: i % 4 === 0 ? 0 : 0.8,
    top_p: i % 3 === 1 ? 0.9 : 1,
    seed: 1000 + i,
    block_size: [1, 4, 8, 16][i % 4],
  };
  requests.push(i % 2 === 0
    ? { kind: 'completion', params: { ...common, prompt: `Question: ${q}\nAnswer:` } }
    : { kind: 'chat', params: { ...common, messages: [{ role: 'user', content: q }] } });
}

async function whole(c, r) {
  if (r.kind === 'completion') {
    const res = await c.completions.create(r.params);
    return { text: res.choices[0].text, finish: res.choices[0].finish_reason, usage: res.usage };
  }
  const res = await c.chat.completions.create(r.params);
  return { text: res.choices[0].message.content, finish: res.choices[0].finish_reason, usage: res.usage };
}

async function streamed(c, r) {
  const params = { ...r.params, stream: true, stream_options: { include_usage: true } };
  const stream = r.kind === 'completion' ? await c.completions.create(params) : await c.chat.completions.create(params);
  let text = '';
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    chunks++;
    text += r.kind === 'completion' ? choice.text : (choice.delta?.content ?? '');
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { text, finish, usage, chunks };
}

async function main() {
  const c = client();
  const models = await c.models.list();
  check(models.data.some((m) => m.id === model), `models.list names ${model}`);

  // Each request alone, not streamed: the reference.
  const alone = [];
  for (const r of requests) alone.push(await whole(c, r));
  for (const [i, a] of alone.entries()) {
    check(a.text.length > 0 && ['stop', 'length'].includes(a.finish), `request ${i} alone: text and a finish reason`);
    check(a.usage.completion_tokens > 0 && a.usage.iterations > 0 && a.usage.tokens_per_iteration >= 1,
      `request ${i}: usage with cllm's statistics (${JSON.stringify(a.usage)})`);
  }
  // The same seed again gives the same output (the sampling is seeded, not just random).
  const again = await whole(c, requests[1]);
  check(again.text === alone[1].text, 'a sampled request repeated gives the same text');

  // Every request streamed, all at once, each on its own client: equal to the reference.
  const together = await Promise.all(requests.map((r) => streamed(client(), r)));
  for (const [i, s] of together.entries()) {
    check(s.text === alone[i].text, `request ${i} streamed concurrently equals its output alone`);
    check(s.finish === alone[i].finish, `request ${i} streamed: same finish reason`);
    check(s.usage && s.usage.completion_tokens === alone[i].usage.completion_tokens,
      `request ${i} streamed: same completion tokens in the usage chunk`);
    check(s.chunks >= 2, `request ${i} streamed in several chunks`);
  }

  // Not streamed, all at once, plus a client that disconnects after its first chunk.
  const abort = new AbortController();
  const quitter = (async () => {
    const stream = await client().completions.create(
      { model, prompt: 'Question: What is 9 times 9?\nAnswer:', max_tokens: 400, ignore_eos: true, temperature: 1, seed: 7, stream: true },
      { signal: abort.signal });
    let got = 0;
    let chunks = 0;
    try {
      for await (const chunk of stream) {
        chunks++;
        got += chunk.choices[0]?.text?.length ?? 0;
        abort.abort();
      }
    } catch (e) {
      return { got, chunks, error: e.name };
    }
    return { got, chunks, error: null };
  })();
  const concurrent = await Promise.all(requests.map((r) => whole(client(), r)));
  const q = await quitter;
  // Aborting ends the client's stream at once (400 tokens were asked for, a handful arrived).
  check(q.got > 0 && q.chunks < 20, `the disconnecting client read a chunk, then its stream ended (${JSON.stringify(q)})`);
  for (const [i, w] of concurrent.entries()) {
    check(w.text === alone[i].text, `request ${i} concurrent (not streamed) equals its output alone`);
  }

  // The server is still healthy after the disconnect.
  const after = await whole(c, requests[2]);
  check(after.text === alone[2].text, 'after a client disconnected, requests still give their outputs');

  // Errors arrive as the client's typed errors.
  try {
    await c.completions.create({ model, prompt: 'x', max_tokens: 10, temperature: 5 });
    check(false, 'temperature 5 is refused');
  } catch (e) {
    check(e instanceof OpenAI.BadRequestError && e.status === 400, `temperature 5 gives BadRequestError 400 (${e})`);
  }
  try {
    await new OpenAI({ baseURL, apiKey: 'wrong-key', maxRetries: 0 }).models.list();
    check(false, 'a wrong key is refused');
  } catch (e) {
    check(e instanceof OpenAI.AuthenticationError && e.status === 401, `a wrong key gives AuthenticationError 401 (${e})`);
  }
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL: unexpected error: ${e?.stack ?? e}`);
}
console.log(`openai client: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
