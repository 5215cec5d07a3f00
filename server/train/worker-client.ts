// The main thread's handle on the trainer worker: starts it (the bundled out/trainer-worker.js beside the bundle,
// or worker.ts through tsx when running from sources) and turns requests into promises.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Request, RequestEnvelope, Response, ResultOf } from './protocol';

/** Where the worker's code is: beside this file when bundled, worker.ts under tsx. */
export function workerEntry(): { file: string; tsx: boolean } {
  const here = __dirname;
  const ts = join(here, 'worker.ts');
  if (__filename.endsWith('.ts') && existsSync(ts)) return { file: ts, tsx: true };
  const bundled = join(here, 'trainer-worker.js');
  if (existsSync(bundled)) return { file: bundled, tsx: false };
  if (existsSync(ts)) return { file: ts, tsx: true };
  throw new Error(`trainer worker not found: neither ${bundled} nor ${ts} exists (run node scripts/build.mjs)`);
}

/**
 * Starts the worker. A .ts worker cannot rely on the parent's `--import tsx` (loader hooks are per thread in
 * Node 20), so a small CommonJS bootstrap registers tsx's require hook in the worker first.
 */
function startWorker(): Worker {
  const { file, tsx } = workerEntry();
  if (!tsx) return new Worker(file);
  // createRequire: not a bundler-visible require, so bundles never try to include tsx
  const tsxCjs = createRequire(__filename).resolve('tsx/cjs');
  const boot = `require(${JSON.stringify(tsxCjs)}); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true });
}

export class TrainerWorker {
  private worker: Worker;
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private dead: Error | undefined;

  constructor() {
    this.worker = startWorker();
    this.worker.on('message', (res: Response) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(res.error));
    });
    const fail = (e: Error) => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new Error(`trainer worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`trainer worker exited (code ${code})`)));
  }

  call<R extends Request>(req: R): Promise<ResultOf<R['kind']>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req } satisfies RequestEnvelope);
    });
  }

  async close(): Promise<void> {
    if (!this.dead) {
      try { await this.call({ kind: 'release' }); } catch { /* already gone */ }
    }
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    await this.worker.terminate();
  }
}
