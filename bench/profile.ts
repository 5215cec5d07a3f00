// Where the engine's time goes: runs the engine's forward+backward program (gradProgram) for the benchmark model
// and batch with onnxruntime's profiler on, and prints time per op type (and the slowest nodes).
//
//   node --import tsx bench/profile.ts [--runs N] [--threads T] [--loss simpo|dpo] [--top K]
//
// A diagnostic tool, not part of `npm run bench`; it leans on the engine's program builders and batch layout.
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LossSpec } from '../server/engine/api';
import { prepareBatch } from '../server/engine/session';
import { gradProgram } from '../server/engine/programs';
import { initRandomModel, makeConfig, Rng } from '../server/engine/hf-model';
import { randomPreferenceBatch } from '../test/engine/reference-lib';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs', '5'));
  const threads = Number(arg('--threads', '2'));
  const top = Number(arg('--top', '15'));
  const lossKind = arg('--loss', 'simpo');
  const config = makeConfig({ vocab_size: 512, hidden_size: 256, intermediate_size: 688, num_hidden_layers: 4, num_attention_heads: 4 });
  const loss: LossSpec = lossKind === 'dpo' ? { kind: 'dpo', beta: 0.1, labelSmoothing: 0 } : { kind: 'simpo', beta: 2, gammaBetaRatio: 0.5, lossType: 'sigmoid', labelSmoothing: 0, sftWeight: 0 };
  const weights = initRandomModel(config, 0);
  const batch = randomPreferenceBatch(new Rng(1), 8, 128, config.vocab_size);
  const pb = prepareBatch(batch, 'float32', config.vocab_size);
  const model = gradProgram(config, 'float32', loss, pb.shape, true);
  const dir = mkdtempSync(join(tmpdir(), 'simpo-prof-'));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: 'sequential', enableProfiling: true, profileFilePrefix: join(dir, 'prof'),
  });
  const R = pb.shape.rows, S = pb.shape.seqLen;
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const w = weights.get(name);
    if (w) { feeds[name] = new ort.Tensor('float32', w.data, w.shape); continue; }
    const v = (pb as unknown as Record<string, Float32Array | BigInt64Array | undefined>)[name];
    if (v instanceof BigInt64Array) feeds[name] = new ort.Tensor('int64', v, [R, S]);
    else if (v instanceof Float32Array) feeds[name] = new ort.Tensor('float32', v, v.length === R * S ? [R, S] : [R, 1, 1, S, S]);
    else if (name === 'ref_sums') feeds[name] = new ort.Tensor('float32', new Float32Array(R).fill(-100), [R]);
    else throw new Error(`profile: don't know how to feed input '${name}' of the engine's gradProgram`);
  }
  await session.run(feeds); // warm-up
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); await session.run(feeds); wall.push(performance.now() - t); }
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).map((f) => join(dir, f)).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`profile: onnxruntime wrote no profile into ${dir}`);
  const events: { cat: string; name: string; dur: number; args?: { op_name?: string } }[] = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const nodeEvents = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const byOp = new Map<string, { us: number; n: number }>();
  const byNode = new Map<string, { us: number; op: string }>();
  for (const e of nodeEvents) {
    const op = e.args?.op_name ?? '?';
    const o = byOp.get(op) ?? { us: 0, n: 0 };
    o.us += e.dur; o.n += 1; byOp.set(op, o);
    const nd = byNode.get(e.name) ?? { us: 0, op };
    nd.us += e.dur; byNode.set(e.name, nd);
  }
  const total = [...byOp.values()].reduce((a, o) => a + o.us, 0);
  const per = runs + 1;
  console.log(`gradProgram (forward + backward, ${lossKind}), ${R}×${S} tokens, ${threads} threads: wall ${wall.map((x) => x.toFixed(0)).join(', ')} ms; kernels ${(total / per / 1000).toFixed(1)} ms/run`);
  console.log('\nop type                         ms/run   share   nodes/run');
  for (const [op, o] of [...byOp].sort((a, b) => b[1].us - a[1].us)) {
    console.log(`  ${op.padEnd(28)} ${(o.us / per / 1000).toFixed(2).padStart(8)} ${((100 * o.us) / total).toFixed(1).padStart(6)}% ${String(o.n / per).padStart(8)}`);
  }
  console.log(`\nslowest ${top} nodes:`);
  for (const [n, o] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`  ${(o.us / per / 1000).toFixed(2).padStart(8)} ms  ${o.op.padEnd(20)} ${n.replace(/_kernel_time$/, '')}`);
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
