// The trainer's worker thread: hosts the engine's TrainSession so that session.run (which blocks its thread)
// never stalls the main thread's progress, signals and file writes. Bundled as out/trainer-worker.js; under tsx
// the .ts file itself runs (see worker-client.ts). One request at a time, answered in order.
import { parentPort } from 'node:worker_threads';
import { join } from 'node:path';
import type { DType, TrainSession, WeightMap } from '../engine/api';
import { createTrainSession } from '../engine/index';
import { loadModel, saveModel } from '../engine/hf-model';
import { readSafetensors, writeSafetensors } from '../engine/safetensors';
import type { InitRequest, InitResult, Request, RequestEnvelope, Response } from './protocol';

import { OPTIMIZER_FILE } from './worker-files';

let session: TrainSession | undefined;
let modelConfig: ReturnType<typeof loadModel>['config'] | undefined;
let modelDtype: DType = 'F32';

function need(): TrainSession {
  if (!session) throw new Error('trainer worker: not initialised');
  return session;
}

/**
 * optimizer.safetensors holds the Adam moments as `m.<param>` / `v.<param>`, and, when the model is stored in a
 * half type, the float32 master weights as `p.<param>` (so a resumed run continues exactly).
 */
export function splitOptimizerFile(tensors: WeightMap, file: string): { m: WeightMap; v: WeightMap; p?: WeightMap } {
  const m: WeightMap = new Map(), v: WeightMap = new Map(), p: WeightMap = new Map();
  for (const [k, t] of tensors) {
    if (k.startsWith('m.')) m.set(k.slice(2), t);
    else if (k.startsWith('v.')) v.set(k.slice(2), t);
    else if (k.startsWith('p.')) p.set(k.slice(2), t);
    else throw new Error(`${file}: unexpected tensor "${k}" (expected m.<param>, v.<param> or p.<param>)`);
  }
  return { m, v, p: p.size ? p : undefined };
}

async function init(r: InitRequest): Promise<InitResult> {
  const model = loadModel(r.modelDir);
  const refWeights = r.refModelDir ? loadModel(r.refModelDir).weights : undefined;
  const opt = r.optimizerFile ? splitOptimizerFile(readSafetensors(r.optimizerFile).tensors, r.optimizerFile) : undefined;
  const s = await createTrainSession({
    config: model.config, weights: opt?.p ?? model.weights, refWeights, loss: r.loss, optim: r.optim,
    gradientAccumulationSteps: r.gradientAccumulationSteps, provider: r.provider, threads: r.threads,
  });
  if (opt) s.setOptimizerState({ step: r.optimizerStep ?? 0, m: opt.m, v: opt.v });
  session = s;
  modelConfig = model.config;
  modelDtype = model.dtype;
  let params = 0;
  for (const t of model.weights.values()) params += t.data.length;
  return { dtype: model.dtype, vocabSize: model.config.vocab_size, params, modelType: String(model.config.model_type) };
}

async function handle(req: Request): Promise<unknown> {
  switch (req.kind) {
    case 'init':
      return init(req);
    case 'train':
      return need().train(req.batches, req.lrs);
    case 'evaluate': {
      const out = [];
      for (const b of req.batches) out.push(await need().evaluate(b));
      return out;
    }
    case 'generate':
      return need().generate(req.prompts, req.maxNewTokens, req.eosIds);
    case 'save': {
      const s = need();
      const weights = s.weights();
      const dtype = req.dtype ?? modelDtype;
      saveModel(req.dir, modelConfig!, weights, dtype, req.tokenizerFrom);
      const st = s.optimizerState();
      if (req.optimizer) {
        const all: WeightMap = new Map();
        if (dtype !== 'F32') for (const [k, t] of weights) all.set(`p.${k}`, t);
        for (const [k, t] of st.m) all.set(`m.${k}`, t);
        for (const [k, t] of st.v) all.set(`v.${k}`, t);
        writeSafetensors(join(req.dir, OPTIMIZER_FILE), all, { dtype: 'F32', metadata: { step: String(st.step) } });
      }
      return { optimizerStep: st.step };
    }
    case 'release':
      if (session) await session.release();
      session = undefined;
      return undefined;
  }
}

if (parentPort) {
  const port = parentPort;
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (env: RequestEnvelope) => {
    chain = chain.then(async () => {
      let res: Response;
      try {
        res = { id: env.id, ok: true, result: await handle(env.req) };
      } catch (e) {
        res = { id: env.id, ok: false, error: (e as Error)?.message ?? String(e) };
      }
      port.postMessage(res);
    });
  });
}
