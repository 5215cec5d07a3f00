// SIGTERM reaches a trainer process while its worker thread is inside the engine: the main thread stays free,
// aborts, the current call finishes, a checkpoint is written and the run is marked stopped; the process exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { listRunDirs, readRunInfo } from '../../server/runs/run-dir';
import { readTrainerState } from '../../server/train/index';
import { stringRows, tempDir, tinyModel, writeConfig, writeJsonl } from './helpers';

test('SIGTERM during training: checkpoint, status stopped, clean exit', async () => {
  const { dir, cleanup } = tempDir('simpo-sigterm-');
  try {
    tinyModel(join(dir, 'model'));
    writeJsonl(join(dir, 'data.jsonl'), stringRows(24));
    const cfg = writeConfig(join(dir, 'c.simpo.yaml'), {
      model_name_or_path: 'model', dataset: 'data.jsonl', per_device_train_batch_size: 2, max_steps: 500, logging_steps: 1,
      save_strategy: 'no', learning_rate: 1e-4, threads: 2, num_samples: 0, max_length: 48, max_prompt_length: 24,
    });
    const script = `
      const { runTraining } = require(${JSON.stringify(resolve('server/train/index.ts'))});
      const ac = new AbortController();
      process.on('SIGTERM', () => { process.stdout.write('TERM\\n'); ac.abort(); });
      runTraining({ configPath: ${JSON.stringify(cfg)}, runsDir: ${JSON.stringify(join(dir, 'runs'))}, signal: ac.signal,
        onProgress: (p) => { if (p.phase === 'train') process.stdout.write('STEP ' + p.step + '\\n'); } })
        .then((r) => process.stdout.write('DONE ' + r.info.status + '\\n'));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let sent = false;
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d) => {
        out += String(d);
        if (!sent && /STEP [2-9]/.test(out)) { sent = true; child.kill('SIGTERM'); }
      });
      child.on('exit', (c) => done(c));
    });
    assert.equal(code, 0, out);
    assert.match(out, /TERM\n[\s\S]*DONE stopped/);
    const [runDir] = listRunDirs(join(dir, 'runs'));
    const info = readRunInfo(runDir);
    assert.equal(info.status, 'stopped');
    assert.ok(info.step! >= 2 && info.step! < 500, `step ${info.step}`);
    assert.equal(readTrainerState(join(runDir, 'checkpoints', `step-${info.step}`)).global_step, info.step);
    assert.ok(fs.readFileSync(join(runDir, 'train.log'), 'utf8').includes(`stopped at step ${info.step}/500`));
  } finally {
    cleanup();
  }
});
