// Execution providers and session options: 'cpu' by default; 'cuda' and 'webgpu' only when this
// onnxruntime-node build has them, otherwise a clear Error saying what is missing.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Provider } from './api';
import { Graph } from './graph';

function bindingDir(): string | null {
  try {
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = join(root, 'bin', `napi-v6`, process.platform, process.arch);
    if (existsSync(dir)) return dir;
    const bin = join(root, 'bin');
    for (const d of readdirSync(bin)) { const c = join(bin, d, process.platform, process.arch); if (existsSync(c)) return c; }
  } catch { /* not resolvable */ }
  return null;
}

/** Throws unless `provider` can run on this onnxruntime-node install. */
export function checkProvider(provider: Provider): void {
  if (provider === 'cpu') return;
  const listed = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!listed) throw new Error(`execution provider '${provider}' is not supported by this onnxruntime-node build (it lists: ${ort.listSupportedBackends().map((b) => b.name).join(', ')})`);
  if (provider === 'cuda') {
    const dir = bindingDir();
    const lib = dir && existsSync(join(dir, 'libonnxruntime_providers_cuda.so'));
    if (!listed.bundled && !lib) {
      throw new Error(`execution provider 'cuda' is unavailable: onnxruntime-node's CUDA provider libraries (libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so) were not installed (${dir ?? 'onnxruntime-node/bin'}); this install skipped them, reinstall onnxruntime-node with its CUDA download enabled and CUDA 12 + cuDNN 9 present, or use provider 'cpu'`);
    }
  }
}

/**
 * float64 graphs get only basic optimizations: the extended fusions (QuickGelu, ...) have float32 kernels only.
 * Idle intra-op threads do not spin (`spin` false, the default here): on a busy machine (2 shared cores)
 * spinning pools halved throughput in `npm run bench` (SimPO K=1: 1539 ms/step spinning, 719 ms not), and DPO's
 * two sessions run alternately would compete for the same cores.
 */
export function sessionOptions(provider: Provider, threads: number | undefined, float64 = false, spin = false): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: float64 ? 'basic' : 'all',
    intraOpNumThreads: threads && threads > 0 ? threads : undefined,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
}

/** Creates an InferenceSession from model bytes; a provider failure is reported as such. */
export async function openSession(model: Uint8Array, provider: Provider, threads: number | undefined, float64 = false, spin = false): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, sessionOptions(provider, threads, float64, spin));
  } catch (e) {
    if (provider !== 'cpu') throw new Error(`execution provider '${provider}' could not start: ${(e as Error).message}`);
    throw e;
  }
}

/** Opens (and releases) a one-node session on `provider`, so that a provider that cannot start fails early. */
export async function probeProvider(provider: Provider): Promise<void> {
  if (provider === 'cpu') return;
  const g = new Graph('probe');
  const x = g.input('x', 'float32', [2]);
  g.node('Neg', [x.name], ['y']);
  g.output({ name: 'y', shape: [2], dtype: 'float32', rg: false });
  const s = await openSession(g.toModel(), provider, 1);
  await s.release();
}
