#!/usr/bin/env python3
"""PyTorch eager baseline for `npm run bench`: the same model, batches, loss and AdamW step as the engine's
benchmark, timed in this (fresh) process; peak RSS from getrusage. The model and losses are the independent
reference in test/engine/reference.py.

Usage: python3 torch_bench.py INPUT.json OUTPUT.json
INPUT: {"config", "weights", "batches": [...], "loss", "optim", "warmup", "steps", "threads", "lr"}
"""
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'engine'))
import reference  # noqa: E402


def rss_now_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2 ** 20


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch.set_num_threads(int(spec['threads']))
    cfg = spec['config']
    params = {k: v.requires_grad_(True) for k, v in reference.read_safetensors(spec['weights']).items()}
    if cfg.get('tie_word_embeddings'):
        params.pop('lm_head.weight', None)
    ref = {k: v.detach().clone() for k, v in params.items()} if spec['loss']['kind'] == 'dpo' else None
    o = spec['optim']
    opt = torch.optim.AdamW(list(params.values()), lr=spec['lr'], betas=(o['beta1'], o['beta2']), eps=o['epsilon'],
                            weight_decay=o['weightDecay'])
    batches = []
    for mb in spec['batches']:
        shape = (mb['rows'], mb['seqLen'])
        batches.append((torch.tensor(mb['inputIds'], dtype=torch.long).view(shape),
                        torch.tensor(mb['attentionMask'], dtype=torch.long).view(shape),
                        torch.tensor(mb['labels'], dtype=torch.long).view(shape)))

    base_rss_mb = rss_now_mb()

    def step(i):
        ids, mask, labels = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        logits = reference.forward(cfg, params, ids, mask)
        ref_logits = None
        if ref is not None:
            with torch.no_grad():
                ref_logits = reference.forward(cfg, ref, ids, mask)
        loss, _ = reference.pref_loss(spec['loss'], logits, labels, ref_logits)
        loss.backward()
        if o.get('maxGradNorm', 0) > 0:
            torch.nn.utils.clip_grad_norm_(list(params.values()), o['maxGradNorm'])
        opt.step()
        return float(loss)

    for i in range(spec['warmup']):
        step(i)
    times = []
    for i in range(spec['steps']):
        t = time.perf_counter()
        step(i)
        times.append((time.perf_counter() - t) * 1000)
    rows, seq = batches[0][0].shape
    med = statistics.median(times)
    out = {
        'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'ms_per_step': times, 'median_ms': med, 'tokens_per_s': rows * seq / (med / 1000),
        'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'base_rss_mb': base_rss_mb,
    }
    with open(sys.argv[2], 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
