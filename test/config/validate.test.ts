// Config validation: the seven SimPO reference configs validate with no error, and each kind of mistake is caught
// at the exact range of the offending key or value, with quick-fix data where one exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfigText, loadConfigFile, resolveConfig, configError } from '../../server/config/load';
import type { Finding } from '../../server/config/findings';
import { defaultsFor } from '../../server/config/schema';

const REF = path.join(__dirname, '..', 'fixtures', 'configs', 'reference');
const BASE = 'model_name_or_path: org/model\ndataset: org/data\n';

/** 0-based line/character of the n-th occurrence of needle. */
function at(text: string, needle: string, nth = 0) {
  let i = -1;
  for (let k = 0; k <= nth; k++) { i = text.indexOf(needle, i + 1); assert.ok(i >= 0, `"${needle}" in text`); }
  const before = text.slice(0, i);
  const line = before.split('\n').length - 1;
  const character = i - (before.lastIndexOf('\n') + 1);
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

function only(findings: Finding[], code: string): Finding {
  const hits = findings.filter((f) => f.code === code);
  assert.equal(hits.length, 1, `one ${code} finding in ${JSON.stringify(findings.map((f) => [f.code, f.message]))}`);
  return hits[0];
}

test('the seven reference configs validate with no error, their no-effect keys as information', async () => {
  const files = fs.readdirSync(REF).filter((f) => f.endsWith('.yaml')).sort();
  assert.equal(files.length, 7);
  for (const f of files) {
    const r = await loadConfigFile(path.join(REF, f));
    const errors = r.findings.filter((x) => x.severity === 'error');
    assert.deepEqual(errors, [], f);
    const noEffect = r.findings.filter((x) => x.code === 'no-effect').map((x) => x.message.split('`')[1]);
    for (const k of ['bf16', 'gradient_checkpointing', 'report_to', 'push_to_hub', 'hub_model_id', 'output_dir']) assert.ok(noEffect.includes(k), `${f}: ${k} has no effect`);
    assert.equal(r.config.eval_strategy, 'steps', `${f}: evaluation_strategy converted`);
  }
  const llama = await loadConfigFile(path.join(REF, 'llama-3-8b-instruct-simpo.yaml'));
  assert.equal(llama.config.beta, 2.5);
  assert.equal(llama.config.gamma_beta_ratio, 0.55);
  assert.equal(llama.config.learning_rate, 1e-6);
  assert.equal(llama.config.max_length, 2048);
  assert.deepEqual(llama.config.dataset_mixer, { 'princeton-nlp/llama3-ultrafeedback': 1 });
  assert.deepEqual(llama.config.dataset_splits, ['train', 'test']);
  assert.equal(llama.config.sft_weight, 0); // a default filled in
  const sft = await loadConfigFile(path.join(REF, 'llama-3-8b-base-sft.yaml'));
  assert.equal(sft.config.max_length, 2048, 'max_seq_length converted');
});

test('unknown keys: did-you-mean at the key, with a rename fix', () => {
  const text = BASE + 'learning_rat: 1e-6\nbta: 2\nzzzzzzzzzz: 1\n';
  const r = parseConfigText(text, 'c.yaml');
  const u = r.findings.filter((f) => f.code === 'unknown-key');
  assert.equal(u.length, 3);
  assert.deepEqual(u[0].range, at(text, 'learning_rat'));
  assert.match(u[0].message, /did you mean `learning_rate`/);
  assert.deepEqual(u[0].data, { kind: 'rename', from: 'learning_rat', to: 'learning_rate' });
  assert.deepEqual(u[1].data, { kind: 'rename', from: 'bta', to: 'beta' });
  assert.equal(u[2].data, undefined);
  assert.equal(u[2].severity, 'error');
});

test('wrong types, enums and ranges at the value', () => {
  const text = BASE + 'beta: -3\nlearning_rate: fast\nloss_type: sigmoidd\nwarmup_ratio: 1.5\nper_device_train_batch_size: 2.5\ngroup_by_length: "yes"\ndataset_splits: train\n';
  const r = parseConfigText(text, 'c.yaml');
  const beta = r.findings.find((f) => f.code === 'out-of-range' && f.message.includes('beta'))!;
  assert.deepEqual(beta.range, at(text, '-3'));
  assert.deepEqual(beta.data, { kind: 'value', key: 'beta', value: 2, title: 'Clamp beta to 2' });
  assert.equal(beta.key, 'beta', 'findings name the key they are on');
  assert.equal(r.findings.find((f) => f.message.includes('dataset_splits'))!.key, 'dataset_splits');
  const lr = r.findings.find((f) => f.message.includes('learning_rate'))!;
  assert.equal(lr.code, 'wrong-type');
  assert.deepEqual(lr.range, at(text, 'fast'));
  const lt = only(r.findings, 'bad-enum');
  assert.deepEqual(lt.range, at(text, 'sigmoidd'));
  assert.match(lt.message, /must be one of sigmoid, hinge; got "sigmoidd": did you mean sigmoid\?/);
  assert.deepEqual(lt.data, { kind: 'value', key: 'loss_type', value: 'sigmoid', title: 'Change to sigmoid' });
  const wr = r.findings.find((f) => f.message.includes('warmup_ratio'))!;
  assert.equal(wr.code, 'out-of-range');
  assert.deepEqual(wr.range, at(text, '1.5'));
  assert.deepEqual(wr.data, { kind: 'value', key: 'warmup_ratio', value: 1, title: 'Clamp warmup_ratio to 1' });
  assert.ok(r.findings.some((f) => f.code === 'wrong-type' && f.message.includes('per_device_train_batch_size') && f.message.includes('integer')));
  assert.ok(r.findings.some((f) => f.code === 'wrong-type' && f.message.includes('group_by_length')));
  assert.ok(r.findings.some((f) => f.code === 'wrong-type' && f.message.includes('dataset_splits')));
  // bad values leave the defaults in the resolved config
  assert.equal(r.config.beta, 2);
  assert.equal(r.config.learning_rate, defaultsFor('simpo').learning_rate);
});

test('cross-field rules: max_prompt_length, effective batch, paper values, DPO reference, gamma ratio, eval data', () => {
  const text = 'model_name_or_path: org/model\ndataset: data/train.jsonl\n' + 'max_length: 256\nmax_prompt_length: 256\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nbeta: 0.1\nlearning_rate: 5e-5\ngamma_beta_ratio: 1.6\neval_strategy: steps\n';
  const r = parseConfigText(text, 'c.yaml');
  const mp = only(r.findings, 'max-prompt-length');
  assert.equal(mp.severity, 'error');
  assert.deepEqual(mp.range, at(text, '256', 1));
  assert.deepEqual(mp.data, { kind: 'value', key: 'max_prompt_length', value: 64, title: 'Set max_prompt_length to 64' });
  const short = parseConfigText(BASE + 'max_length: 100\n', 's.yaml');
  assert.deepEqual(only(short.findings, 'max-prompt-length').range, at(BASE + 'max_length: 100\n', '100'), 'on max_length when only it is written');
  const eb = only(r.findings, 'effective-batch');
  assert.equal(eb.severity, 'information');
  assert.match(eb.message, /effective batch size 32 = per_device_train_batch_size 4 × gradient_accumulation_steps 8/);
  assert.deepEqual(eb.range, at(text, 'per_device_train_batch_size'));
  const pb = only(r.findings, 'paper-beta');
  assert.equal(pb.severity, 'warning');
  assert.deepEqual(pb.range, at(text, '0.1'));
  assert.match(pb.message, /Llama-3-8B instruct β 2.5/);
  const plr = only(r.findings, 'paper-lr');
  assert.deepEqual(plr.range, at(text, '5e-5'));
  assert.match(plr.message, /3e-7 to 1e-6/);
  const g = only(r.findings, 'gamma-ratio-range');
  assert.equal(g.severity, 'warning');
  assert.deepEqual(g.range, at(text, '1.6'));
  const ev = only(r.findings, 'no-eval-data');
  const evKey = at(text, 'eval_strategy: ').end;
  assert.deepEqual(ev.range, { start: evKey, end: { line: evKey.line, character: evKey.character + 'steps'.length } });

  // the paper warnings can be switched off
  const quiet = parseConfigText(text, 'c.yaml', { paperRecommendations: false });
  assert.ok(!quiet.findings.some((f) => f.code === 'paper-beta' || f.code === 'paper-lr'));

  const dpo = 'algorithm: dpo\n' + BASE + 'beta: 0.01\n';
  const d = parseConfigText(dpo, 'd.yaml');
  const ref = only(d.findings, 'dpo-reference');
  assert.equal(ref.severity, 'information');
  assert.deepEqual(ref.range, at(dpo, 'algorithm'));
  assert.ok(!d.findings.some((f) => f.code === 'paper-beta'), 'DPO beta 0.01 is fine');
  assert.equal(parseConfigText('algorithm: dpo\n' + BASE, 'd.yaml').config.beta, 0.1, 'DPO default beta');
  assert.ok(!parseConfigText('algorithm: dpo\nref_model_name_or_path: org/ref\n' + BASE, 'd.yaml').findings.some((f) => f.code === 'dpo-reference'));

  const over = 'model_name_or_path: m\ndataset: d.jsonl\ndataset_mixer:\n  org/x: 1.0\nwarmup_steps: 10\nwarmup_ratio: 0.1\nmax_steps: 100\nnum_train_epochs: 3\ndevice: cuda\n';
  const o = parseConfigText(over, 'o.yaml');
  assert.deepEqual(o.findings.filter((f) => f.code === 'overridden').map((f) => f.key), ['dataset_mixer', 'warmup_ratio', 'num_train_epochs']);
  assert.deepEqual(only(o.findings, 'device').range, at(over, 'cuda'));

  const missing = parseConfigText('beta: 2\n', 'm.yaml');
  assert.equal(missing.findings.filter((f) => f.code === 'required').length, 2);
});

test('aliases: TRL and LLaMA-Factory keys converted, explained, with rewrite fixes', () => {
  const trl = BASE + 'loss_type: simpo\nbeta: 2.0\nsimpo_gamma: 1.0\ncpo_alpha: 1.0\n';
  const r = parseConfigText(trl, 't.yaml');
  assert.equal(r.config.algorithm, 'simpo');
  assert.equal(r.config.loss_type, 'sigmoid');
  assert.equal(r.config.gamma_beta_ratio, 0.5);
  assert.equal(r.config.sft_weight, 1);
  const aliases = r.findings.filter((f) => f.code === 'alias');
  assert.equal(aliases.length, 3);
  const byRemoved = (k: string) => aliases.find((f) => (f.data as { remove?: string }).remove === k)!;
  const lt = byRemoved('loss_type');
  assert.deepEqual(lt.range, at(trl, 'simpo'), 'on the value of loss_type');
  assert.deepEqual(lt.data, { kind: 'rewrite', remove: 'loss_type', set: [{ key: 'algorithm', value: 'simpo' }, { key: 'loss_type', value: 'sigmoid' }], title: 'Convert to algorithm: "simpo", loss_type: "sigmoid"' });
  const sg = byRemoved('simpo_gamma');
  assert.equal(sg.severity, 'warning');
  assert.deepEqual(sg.range, at(trl, 'simpo_gamma'));
  assert.match(sg.message, /absolute margin γ = 1; this trainer takes γ\/β: with beta 2 that is gamma_beta_ratio: 0.5/);
  assert.deepEqual((sg.data as { set: unknown }).set, [{ key: 'gamma_beta_ratio', value: 0.5 }]);
  const ca = byRemoved('cpo_alpha');
  assert.match(ca.message, /CPO-SimPO, not SimPO/);

  const lf = BASE + 'pref_loss: simpo\npref_beta: 2.5\nsimpo_gamma: 0.5\n';
  const l = parseConfigText(lf, 'l.yaml');
  assert.equal(l.config.beta, 2.5);
  assert.equal(l.config.gamma_beta_ratio, 0.2);
  assert.ok(!l.findings.some((f) => f.severity === 'error'));

  const old = BASE + 'beta: 2.0\ngamma: 1.6\n';
  const o = parseConfigText(old, 'o.yaml');
  assert.equal(o.config.gamma_beta_ratio, 0.8);
  assert.match(o.findings.find((f) => f.code === 'alias')!.message, /SimPO before July 2024/);

  // the project's own key wins over an alias of it
  const both = BASE + 'gamma_beta_ratio: 0.5\nsimpo_gamma: 3\n';
  const b = parseConfigText(both, 'b.yaml');
  assert.equal(b.config.gamma_beta_ratio, 0.5);
  assert.deepEqual(only(b.findings, 'alias-conflict').range, at(both, 'simpo_gamma'));

  const dpo = parseConfigText(BASE + 'pref_loss: sigmoid\n', 'p.yaml');
  assert.equal(dpo.config.algorithm, 'dpo');
  assert.equal(dpo.config.beta, 0.1);
  assert.equal(parseConfigText(BASE + 'pref_loss: kto_pair\n', 'k.yaml').findings.filter((f) => f.severity === 'error').length, 1);
});

test('no-effect keys are information (or silent when switched off); YAML errors at their place', () => {
  const text = BASE + 'deepspeed: ds.json\nattn_implementation: sdpa\n';
  const r = parseConfigText(text, 'c.yaml');
  const ne = r.findings.filter((f) => f.code === 'no-effect');
  assert.equal(ne.length, 2);
  assert.ok(ne.every((f) => f.severity === 'information'));
  assert.deepEqual(ne[0].range, at(text, 'deepspeed'));
  assert.match(ne[0].message, /has no effect here: .*one local process/);
  assert.equal(parseConfigText(text, 'c.yaml', { noEffectKeys: false }).findings.filter((f) => f.code === 'no-effect').length, 0);

  const bad = BASE + 'beta: 2\nbeta: 3\nlearning_rate: [1e-6\n';
  const y = parseConfigText(bad, 'y.yaml');
  assert.deepEqual(only(y.findings, 'duplicate-key').range.start, at(bad, 'beta', 1).start);
  assert.ok(y.findings.some((f) => f.code === 'yaml-syntax' && f.severity === 'error'));
  assert.ok(!y.findings.some((f) => f.code === 'required'), 'no required-key noise on a broken file');
  assert.equal(only(parseConfigText('- a\n- b\n', 'l.yaml').findings, 'not-a-mapping').severity, 'error');
});

test('hostile input: alias bomb, binary, 10 MB, deep nesting all end in findings, quickly', () => {
  let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const n of 'bcdefghi') { bomb += `${n}: &${n} [${Array(9).fill('*' + prev).join(',')}]\n`; prev = n; }
  bomb += 'beta: *i\n';
  assert.ok(parseConfigText(bomb, 'b.yaml').findings.some((f) => f.code === 'yaml-alias'));
  assert.equal(only(parseConfigText('beta: 1\n\u0000\u0001', 'x.yaml').findings, 'binary').range.start.line, 1);
  assert.equal(only(parseConfigText('beta: 1\n' + 'x'.repeat(10 * 1024 * 1024), 'big.yaml').findings, 'too-large').severity, 'error');
  assert.equal(only(parseConfigText('a: ' + '['.repeat(30000) + '\n', 'd.yaml').findings, 'too-deep').severity, 'error');
  let block = '';
  for (let i = 0; i < 200; i++) block += ' '.repeat(i) + 'k:\n';
  only(parseConfigText(block, 'd2.yaml').findings, 'too-deep');
  only(parseConfigText('k:\n' + '- '.repeat(200) + 'x\n', 'd3.yaml').findings, 'too-deep');
  // many keys or items under the size limit: linear work, findings capped
  const many = parseConfigText(Array.from({ length: 5000 }, (_, i) => `k${i}: ${i}`).join('\n'), 'many.yaml');
  assert.equal(many.findings.length, 501);
  assert.equal(many.findings[500].code, 'too-many-findings');
  assert.ok(many.findings.some((f) => f.code === 'unknown-key'));
  const mixer = parseConfigText('dataset_mixer:\n' + Array.from({ length: 3000 }, (_, i) => `  d${i}: 1`).join('\n'), 'mixer.yaml');
  assert.ok(mixer.findings.some((f) => f.code === 'too-many-items'));
  const dups = 'beta: 1\nbeta: 2\ndataset_mixer:\n  a: 1\n  a: 0.5\n';
  assert.deepEqual(parseConfigText(dups, 'dups.yaml').findings.filter((f) => f.code === 'duplicate-key').map((f) => f.range.start), [{ line: 1, character: 0 }, { line: 4, character: 2 }]);
});

test('resolveConfig fills defaults and rejects bad values; configError names file:line:col', () => {
  const c = resolveConfig({ model_name_or_path: 'm', dataset: 'd.jsonl', beta: 2.5 });
  assert.equal(c.beta, 2.5);
  assert.equal(c.gamma_beta_ratio, 0.25);
  assert.equal(c.max_length, 512);
  assert.equal(resolveConfig({ algorithm: 'dpo' }).beta, 0.1);
  assert.throws(() => resolveConfig({ beta: -1 }), /beta must be > 0/);
  assert.throws(() => resolveConfig({ max_length: 100, max_prompt_length: 200 }), /max_prompt_length/);
  assert.throws(() => resolveConfig({ nope: 1 } as never), /unknown key "nope"/);
  const r = parseConfigText(BASE + 'beta: -1\n', 'x.simpo.yaml');
  assert.match(configError(r)!.message, /^x\.simpo\.yaml:3:7 error out-of-range `beta` must be > 0; got -1$/);
  assert.equal(configError(parseConfigText(BASE, 'ok.yaml')), undefined);
});

test('loadConfigFile: unreadable files are one finding; relative paths become absolute', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpo-cfg-'));
  const missing = await loadConfigFile(path.join(dir, 'nope.yaml'));
  assert.equal(only(missing.findings, 'unreadable').message, 'config file not found');
  fs.mkdirSync(path.join(dir, 'm'));
  const f = path.join(dir, 'c.simpo.yaml');
  fs.writeFileSync(f, 'model_name_or_path: m\ndataset: org/hub-data\n');
  const r = await loadConfigFile(f);
  assert.equal(r.config.model_name_or_path, path.join(dir, 'm'));
  assert.equal(r.config.dataset, 'org/hub-data', 'a hub id that is no local path stays');
  fs.rmSync(dir, { recursive: true, force: true });
});
