// Makes the embedded default (examples/): a character-level tokenizer, a preference dataset of additions where
// the chosen answer is the correct sum and the rejected one is off by one, and a tiny Llama pre-trained by this
// project's own engine with SFT on a mixture where the correct and the off-by-one answer are equally likely. So
// before SimPO the model cannot tell them apart (held-out preference accuracy near 0.5, greedy answers often wrong)
// and SimPO has something checkable to teach.
//   node --import tsx examples/make-example.ts            (about a minute on 2 cores; deterministic)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch, StepMetrics } from '../server/engine/api';
import { createTrainSession } from '../server/engine/index';
import { initRandomModel, makeConfig, saveModel } from '../server/engine/hf-model';
import { loadTokenizer, mulberry32, seededPermutation } from '../server/data';

const ROOT = path.resolve(__dirname);
const MODEL_DIR = path.join(ROOT, 'model');
const DATA_DIR = path.join(ROOT, 'data');
const MAX_OPERAND = 19;         // a + b with a, b in 0..19: 400 prompts
const EVAL_PROMPTS = 40;        // held out from the preference training set
const SEED = 1234;

// ------------------------------------------------------------------------------------------------ tokenizer
const SPECIALS = ['<pad>', '<s>', '</s>', '<unk>', '<|user|>', '<|assistant|>'];
const CHARS = [...'0123456789+-=?', ' '];
const CHAT_TEMPLATE =
  "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ '<|user|>' + m['content'] }}" +
  "{% elif m['role'] == 'assistant' %}{{ '<|assistant|>' + m['content'] + eos_token }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

function tokenizerJson(): object {
  const vocab: Record<string, number> = {};
  [...SPECIALS, ...CHARS].forEach((t, i) => { vocab[t] = i; });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    // every character is one token
    pre_tokenizer: { type: 'Split', pattern: { Regex: '.' }, behavior: 'Isolated', invert: false },
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
}

function writeTokenizer(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(), null, 1) + '\n');
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({
    tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>',
    add_bos_token: false, add_eos_token: false, model_max_length: 64, chat_template: CHAT_TEMPLATE,
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>' }, null, 2) + '\n');
}

// ------------------------------------------------------------------------------------------------ the task
export interface Problem { a: number; b: number; prompt: string; correct: string; wrong: string }

/** The plausible wrong answer: off by one, too high (a systematic slip the model has seen as often as the truth). */
export function wrongAnswer(a: number, b: number): number { return a + b + 1; }

function problems(): Problem[] {
  const out: Problem[] = [];
  for (let a = 0; a <= MAX_OPERAND; a++) for (let b = 0; b <= MAX_OPERAND; b++) {
    out.push({ a, b, prompt: `${a}+${b}=`, correct: String(a + b), wrong: String(wrongAnswer(a, b)) });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ SFT pretraining
function sftBatch(seqs: { ids: number[]; promptLen: number }[], pad: number): Batch {
  const S = Math.max(...seqs.map((s) => s.ids.length));
  const rows = seqs.length;
  const inputIds = new Int32Array(rows * S).fill(pad), attentionMask = new Int32Array(rows * S), labels = new Int32Array(rows * S).fill(-100);
  seqs.forEach((s, r) => s.ids.forEach((t, j) => {
    inputIds[r * S + j] = t; attentionMask[r * S + j] = 1;
    if (j >= s.promptLen) labels[r * S + j] = t;
  }));
  return { rows, seqLen: S, inputIds, attentionMask, labels };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  // everything goes to model.tmp/ first; the shipped model/ is replaced only when the script succeeds
  const tmpDir = `${MODEL_DIR}.tmp`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  writeTokenizer(tmpDir);
  const tok = loadTokenizer(tmpDir);
  const enc = (s: string) => tok.encode(s, { addSpecialTokens: false });

  // the preference data: 360 training prompts, 40 held out
  const all = problems();
  const order = seededPermutation(all.length, SEED);
  const evalSet = order.slice(0, EVAL_PROMPTS).map((i) => all[i]);
  const trainSet = order.slice(EVAL_PROMPTS).map((i) => all[i]);
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const row = (p: Problem) => JSON.stringify({ prompt: p.prompt, chosen: p.correct, rejected: p.wrong });
  fs.writeFileSync(path.join(DATA_DIR, 'arith_prefs.jsonl'), trainSet.map(row).join('\n') + '\n');
  fs.writeFileSync(path.join(DATA_DIR, 'arith_prefs_eval.jsonl'), evalSet.map(row).join('\n') + '\n');

  // the model: a tiny Llama, pre-trained with SFT on every prompt with the correct and the wrong answer equally often
  const config = makeConfig({
    vocab_size: SPECIALS.length + CHARS.length, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 4, rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 64,
    tie_word_embeddings: true, bos_token_id: tok.bosId, eos_token_id: tok.eosId, pad_token_id: tok.padId,
  });
  const seqs: { ids: number[]; promptLen: number }[] = [];
  for (const p of all) for (const ans of [p.correct, p.wrong]) {
    const prompt = [tok.bosId!, ...enc(p.prompt)];
    seqs.push({ ids: [...prompt, ...enc(ans), tok.eosId], promptLen: prompt.length });
  }
  const session = await createTrainSession({
    config, weights: initRandomModel(config, SEED), loss: { kind: 'sft' },
    optim: { weightDecay: 0, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, maxGradNorm: 1 }, gradientAccumulationSteps: 1, threads: 2,
  });
  const BATCH = 64, EPOCHS = Number(process.env.SFT_EPOCHS ?? 60), LR = 3e-3, K = 4;
  const stepsPerEpoch = Math.floor(seqs.length / BATCH);
  const total = EPOCHS * stepsPerEpoch;
  const rnd = mulberry32(SEED);
  let step = 0, last: StepMetrics | undefined;
  for (let e = 0; e < EPOCHS; e++) {
    const perm = seqs.map((_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    const batches: Batch[] = [];
    for (let s = 0; s < stepsPerEpoch; s++) batches.push(sftBatch(perm.slice(s * BATCH, (s + 1) * BATCH).map((i) => seqs[i]), tok.padId));
    // group consecutive batches of one shape into Loop calls of up to K steps
    for (let s = 0; s < batches.length;) {
      let k = 1;
      while (k < K && s + k < batches.length && batches[s + k].seqLen === batches[s].seqLen) k++;
      const lrs = Array.from({ length: k }, (_, i) => LR * 0.5 * (1 + Math.cos(Math.PI * (step + i) / total)));
      const ms = await session.train(batches.slice(s, s + k), lrs);
      last = ms[ms.length - 1];
      step += k; s += k;
    }
    if (e % 10 === 9 || e === EPOCHS - 1) console.log(`sft epoch ${e + 1}/${EPOCHS}: loss ${last!.loss.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }

  // how the base model does on the held-out prompts: greedy answers and the preference it implies
  const gen = await session.generate(evalSet.map((p) => [tok.bosId!, ...enc(p.prompt)]), 4, [tok.eosId]);
  const answers = gen.map((ids) => tok.decode(ids, { skipSpecialTokens: true }));
  const right = answers.filter((a, i) => a === evalSet[i].correct).length;
  const either = answers.filter((a, i) => a === evalSet[i].correct || a === evalSet[i].wrong).length;
  console.log(`base model, ${evalSet.length} held-out prompts: greedy correct ${right}, off by one ${either - right}, other ${evalSet.length - either}`);
  saveModel(tmpDir, config, session.weights(), 'F32');
  await session.release();
  fs.rmSync(MODEL_DIR, { recursive: true, force: true });
  fs.renameSync(tmpDir, MODEL_DIR);
  console.log(`examples/ written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
