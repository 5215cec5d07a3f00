import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTokenizer, normalizeRow, tokenizePairs, collatePairs, promptEncoder, DataError, IGNORE_INDEX } from '../../server/data';
import type { NormalizedPair, TokenizeOptions } from '../../server/data';
import { LLAMA3_DIR, LLAMA3_INSTRUCT_TEMPLATE, QWEN3_DIR, uf } from './helpers';

const llama = loadTokenizer(LLAMA3_DIR, { chatTemplate: LLAMA3_INSTRUCT_TEMPLATE });
const BOS = 128000, EOS = 128001, EOT = 128009;
const opts: TokenizeOptions = { maxLength: 512, maxPromptLength: 128, truncationMode: 'keep_end', algorithm: 'simpo' };
const loc = { file: 't.jsonl', line: 1, index: 0 };
const count = (ids: ArrayLike<number>, id: number) => Array.from(ids).filter((x) => x === id).length;
/** the pairs with plain number[] ids, for deepEqual against encode() */
function tokenize(rows: NormalizedPair[], o: TokenizeOptions, t = llama) {
  const r = tokenizePairs(rows, t, o);
  return { ...r, pairs: r.pairs.map((p) => ({ ...p, promptIds: Array.from(p.promptIds), chosenIds: Array.from(p.chosenIds), rejectedIds: Array.from(p.rejectedIds) })) };
}

function pairOf(row: unknown, layout: Parameters<typeof normalizeRow>[1]): NormalizedPair {
  const n = normalizeRow(row, layout, loc);
  assert.ok(n.ok);
  return n.pair;
}

test('the real Llama 3 tokenizer: special ids from tokenizer_config.json', () => {
  assert.equal(llama.bosId, BOS);
  assert.equal(llama.eosId, EOS);
  assert.equal(llama.padId, EOS); // no pad token: pad with EOS
  assert.equal(llama.vocabSize, 128256);
  assert.deepEqual([...llama.stopIds].sort(), [EOS, EOT].sort()); // generation stops at EOS or end of turn
  assert.deepEqual(llama.encode('Hello world'), [9906, 1917]);
  assert.equal(llama.decode([BOS, 9906, 1917], { skipSpecialTokens: true }), 'Hello world');
});

test('UltraFeedback pair with the Llama 3 chat template: exactly one BOS, EOS appended, prompt = template render', () => {
  const { pairs, bad } = tokenize([pairOf(uf('What is 2+2?', 'It is 4.', 'It is 5.'), 'ultrafeedback')], opts);
  assert.deepEqual(bad, []);
  const p = pairs[0];
  assert.equal(p.promptIds[0], BOS);
  assert.equal(count([...p.promptIds, ...p.chosenIds], BOS), 1, 'never two BOS though the template adds one');
  assert.equal(llama.decode(p.promptIds), '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  assert.equal(llama.decode(p.chosenIds), 'It is 4.<|eot_id|><|end_of_text|>');
  assert.equal(llama.decode(p.rejectedIds), 'It is 5.<|eot_id|><|end_of_text|>');
  assert.deepEqual(p.chosenIds.slice(-2), [EOT, EOS]);
  assert.equal(p.truncated, false);
  // prompt + response is exactly the template's rendering of the whole conversation
  const whole = llama.applyChatTemplate(uf('What is 2+2?', 'It is 4.', 'x').chosen);
  assert.equal(llama.decode([...p.promptIds, ...p.chosenIds.slice(0, -1)]), whole);
});

test('string prompts: BOS prepended when missing, not doubled when present; EOS not doubled', () => {
  const a = tokenize([pairOf({ prompt: 'Q: hi\nA:', chosen: ' yes', rejected: ' no<|end_of_text|>' }, 'strings')], opts).pairs[0];
  assert.deepEqual(a.promptIds, [BOS, ...llama.encode('Q: hi\nA:')]);
  assert.deepEqual(a.chosenIds, [...llama.encode(' yes'), EOS]);
  assert.equal(count(a.rejectedIds, EOS), 1);
  const b = tokenize([pairOf({ prompt: '<|begin_of_text|>Q: hi\nA:', chosen: ' yes', rejected: ' no' }, 'strings')], opts).pairs[0];
  assert.deepEqual(b.promptIds, a.promptIds);
});

test('a tokenizer without BOS (Qwen3) gets none; its EOS is <|im_end|>', () => {
  const qwen = loadTokenizer(QWEN3_DIR);
  assert.equal(qwen.bosId, undefined);
  const p = tokenize([pairOf(uf('Hi', 'Hello.', 'Bye.'), 'ultrafeedback')], opts, qwen).pairs[0];
  assert.equal(qwen.decode(p.promptIds), '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(p.chosenIds[p.chosenIds.length - 1], qwen.eosId);
  assert.equal(qwen.decode([p.chosenIds[p.chosenIds.length - 1]]), '<|im_end|>');
});

const longPrompt = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
const longAnswer = Array.from({ length: 40 }, (_, i) => `answer${i}`).join(' ');

test('truncation keep_end: the prompt keeps its last max_prompt_length tokens, responses cut to max_length − max_prompt_length', () => {
  const pair = pairOf({ prompt: longPrompt, chosen: longAnswer, rejected: 'short' }, 'strings');
  const full = [BOS, ...llama.encode(longPrompt)];
  const chosenFull = [...llama.encode(longAnswer), EOS];
  const o = { ...opts, maxLength: 48, maxPromptLength: 16 };
  const p = tokenize([pair], o).pairs[0];
  assert.deepEqual(p.promptIds, full.slice(-16));
  assert.equal(count(p.promptIds, BOS), 0, 'as in the reference, keep_end truncation happens after BOS is added');
  assert.deepEqual(p.chosenIds, chosenFull.slice(0, 32));
  assert.deepEqual(p.rejectedIds, [...llama.encode('short'), EOS]);
  assert.ok(p.truncated);
  assert.ok(p.promptIds.length + p.chosenIds.length <= 48);
});

test('truncation keep_start: the prompt keeps its first tokens (BOS first)', () => {
  const pair = pairOf({ prompt: longPrompt, chosen: 'ok', rejected: 'no' }, 'strings');
  const p = tokenize([pair], { ...opts, maxLength: 40, maxPromptLength: 16, truncationMode: 'keep_start' }).pairs[0];
  assert.deepEqual(p.promptIds, [BOS, ...llama.encode(longPrompt)].slice(0, 16));
  assert.deepEqual(p.chosenIds, [...llama.encode('ok'), EOS]);
});

test('no truncation when prompt + longer response fits max_length, even if the prompt exceeds max_prompt_length', () => {
  const pair = pairOf({ prompt: longPrompt, chosen: 'ok', rejected: 'no' }, 'strings');
  const p = tokenize([pair], { ...opts, maxLength: 512, maxPromptLength: 8 }).pairs[0];
  assert.deepEqual(p.promptIds, [BOS, ...llama.encode(longPrompt)]);
  assert.equal(p.truncated, false);
});

test('a prompt that leaves no room for the response is a bad row "over-long after truncation"', () => {
  const pair = pairOf({ prompt: longPrompt, chosen: 'ok', rejected: 'no' }, 'strings');
  const r = tokenize([pair], { ...opts, maxLength: 16, maxPromptLength: 16 });
  assert.equal(r.pairs.length, 0);
  assert.equal(r.bad.length, 1);
  assert.deepEqual([r.bad[0].file, r.bad[0].line], ['t.jsonl', 1]);
  assert.match(r.bad[0].reason, /^over-long after truncation/);
});

test('collated with the real tokenizer: prompt labels are -100, response labels are the response ids', () => {
  const rows = [pairOf(uf('Hi', 'Hello there.', 'Go.'), 'ultrafeedback'), pairOf(uf('A much longer question here?', 'Yes.', 'No, never.'), 'ultrafeedback')];
  const tp = tokenizePairs(rows, llama, opts).pairs;
  const pairs = tokenize(rows, opts).pairs;
  const b = collatePairs(tp, [0, 1], llama.padId);
  for (let row = 0; row < 4; row++) {
    const p = pairs[row % 2];
    const resp = row < 2 ? p.chosenIds : p.rejectedIds;
    const o = row * b.seqLen;
    const lab = Array.from(b.labels.subarray(o, o + b.seqLen));
    assert.ok(lab.slice(0, p.promptIds.length).every((x) => x === IGNORE_INDEX));
    assert.deepEqual(lab.slice(p.promptIds.length, p.promptIds.length + resp.length), resp);
    assert.ok(lab.slice(p.promptIds.length + resp.length).every((x) => x === IGNORE_INDEX));
  }
});

test('the tokenizer folder\'s own chat template is used by default; a missing folder is a DataError', () => {
  const own = loadTokenizer(LLAMA3_DIR);
  assert.ok(own.hasChatTemplate);
  assert.ok(own.applyChatTemplate([{ role: 'user', content: 'x' }]).startsWith('<|begin_of_text|><|start_header_id|>user'));
  // this template appends the assistant header even without add_generation_prompt: the response still ends at its turn
  const p = tokenize([pairOf(uf('Hi', 'Hello.', 'Bye.'), 'ultrafeedback')], opts, own).pairs[0];
  assert.equal(own.decode(p.promptIds), '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  assert.equal(own.decode(p.chosenIds), 'Hello.<|eot_id|><|end_of_text|>');
  assert.throws(() => loadTokenizer('/nonexistent/model'), (e: Error) => e instanceof DataError && e.message.includes('/nonexistent/model'));
});

test('as the reference (build_tokenized_answer): a token merging across the prompt/response boundary goes to the response', () => {
  // "Answer: " + "Paris." tokenizes as ..."Answer", ":", " Paris", "." when joined, but ..."Answer", ":", " " alone
  const prompt = 'Question: capital of France?\nAnswer: ';
  assert.deepEqual(llama.encode(prompt).slice(-1).map((i) => llama.decode([i])), [' ']);
  const r = tokenizePairs([pairOf({ prompt, chosen: 'Paris.', rejected: ' London.' }, 'strings')], llama, opts);
  const p = r.pairs[0];
  const seq = (a: ArrayLike<number>, b: ArrayLike<number>) => [...Array.from(a), ...Array.from(b)];
  assert.deepEqual(seq(p.promptIds, p.chosenIds), [BOS, ...llama.encode(prompt + 'Paris.'), EOS]);
  assert.equal(llama.decode(Array.from(p.chosenIds.slice(0, 1))), ' Paris');
  const rejPrompt = p.rejectedPromptIds ?? p.promptIds;
  assert.deepEqual(seq(rejPrompt, p.rejectedIds), [BOS, ...llama.encode(prompt + ' London.'), EOS]);
  assert.ok(p.rejectedPromptIds, 'the rejected side keeps the prompt\'s trailing " " token, the chosen side does not');
  assert.equal(rejPrompt.length, p.promptIds.length + 1);
  // the batch uses each side's own prompt
  const b = collatePairs(r.pairs, [0], llama.padId);
  assert.deepEqual(Array.from(b.inputIds.subarray(b.seqLen, b.seqLen + rejPrompt.length + p.rejectedIds.length)), seq(rejPrompt, p.rejectedIds));
});

test('encoding the prompt head once and only its tail with each response equals encoding the whole text', () => {
  const qwen = loadTokenizer(QWEN3_DIR);
  for (const t of [llama, qwen]) {
    for (const [q, a] of [['Hi there', 'Hello!'], ['  spaced  out  ', '  answer  '], ['émoji 🙂 test', '🙂 ok'], ['x', '\n\nNew paragraph']]) {
      const prompt = t.applyChatTemplate([{ role: 'system', content: 'Be kind.' }, { role: 'user', content: q }], { addGenerationPrompt: true });
      const enc = promptEncoder(t, prompt);
      assert.deepEqual(enc.promptIds, t.encode(prompt));
      const split = enc.answer(a)!;
      assert.deepEqual([...split.prompt, ...split.answer], t.encode(prompt + a));
    }
  }
});
