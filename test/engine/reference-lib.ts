// Shared by the reference test and the benchmark: finding a python3 with torch, random preference batches,
// and running test/engine/reference.py.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from '../../server/engine/api';
import { Rng } from '../../server/engine/hf-model';

export const INSTALL_HINT =
  'the PyTorch reference needs python3 with torch: on Debian/Ubuntu run `apt-get update && apt-get install -y python3-torch libopenblas0-openmp` ' +
  '(or point SIMPO_PYTHON at a python that has torch); set SIMPO_SKIP_TORCH=1 to skip these checks';

/** $SIMPO_PYTHON when set (only it), else the first of /usr/bin/python3, python3 that can import torch; null when none can. */
export function findTorchPython(): string | null {
  const candidates = process.env.SIMPO_PYTHON ? [process.env.SIMPO_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

/**
 * A preference micro-batch of `pairs` pairs: rows [0, pairs) chosen, [pairs, 2·pairs) rejected, each pair sharing
 * its prompt, right-padded to seqLen; labels -100 on prompt and padding. The first pair fills seqLen exactly.
 */
export function randomPreferenceBatch(rng: Rng, pairs: number, seqLen: number, vocab: number, minFill = 0.4): Batch {
  const rows = 2 * pairs;
  const inputIds = new Int32Array(rows * seqLen);
  const attentionMask = new Int32Array(rows * seqLen);
  const labels = new Int32Array(rows * seqLen).fill(-100);
  const minLen = Math.max(3, Math.floor(seqLen * minFill));
  for (let p = 0; p < pairs; p++) {
    const promptLen = 1 + rng.int(Math.max(1, Math.floor(minLen / 2)));
    const prompt = Array.from({ length: promptLen }, () => 1 + rng.int(vocab - 1));
    for (const row of [p, pairs + p]) {
      const total = row === 0 ? seqLen : minLen + rng.int(seqLen - minLen + 1);
      for (let t = 0; t < total; t++) {
        const id = t < promptLen ? prompt[t] : 1 + rng.int(vocab - 1);
        inputIds[row * seqLen + t] = id;
        attentionMask[row * seqLen + t] = 1;
        if (t >= promptLen) labels[row * seqLen + t] = id;
      }
    }
  }
  return { rows, seqLen, inputIds, attentionMask, labels };
}

/** An SFT micro-batch: `rows` sequences with a short prompt (label -100) and right padding. */
export function randomSftBatch(rng: Rng, rows: number, seqLen: number, vocab: number): Batch {
  const b = randomPreferenceBatch(rng, rows, seqLen, vocab);
  return { rows, seqLen, inputIds: b.inputIds.slice(0, rows * seqLen), attentionMask: b.attentionMask.slice(0, rows * seqLen), labels: b.labels.slice(0, rows * seqLen) };
}

export function batchJson(b: Batch): Record<string, unknown> {
  return { rows: b.rows, seqLen: b.seqLen, inputIds: [...b.inputIds], attentionMask: [...b.attentionMask], labels: [...b.labels] };
}

export const REFERENCE_PY = join(__dirname, 'reference.py');

/** Runs reference.py on an input object (written to dir/ref-in.json); returns its parsed output. */
export function runReference(python: string, dir: string, input: unknown, timeoutMs = 300_000): any {
  const inp = join(dir, 'ref-in.json');
  const out = join(dir, 'ref-out.json');
  writeFileSync(inp, JSON.stringify(input));
  const r = spawnSync(python, [REFERENCE_PY, inp, out], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`reference.py failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}
