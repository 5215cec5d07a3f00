#!/usr/bin/env python3
"""An independent PyTorch reference for the engine: a Llama-family decoder written from scratch in torch
(no transformers), the SimPO, DPO and SFT losses as the SimPO reference trainer and TRL compute them, and
torch.optim.AdamW steps with gradient clipping as the Hugging Face Trainer runs them.

Usage: python3 reference.py INPUT.json OUTPUT.json

INPUT: {"threads": 2, "cases": [CASE, ...]}; each CASE:
  config        Hugging Face config.json fields (llama / mistral / qwen2), defaults already filled in
  weights       path of a safetensors file with the starting weights (F32 / F16 / BF16)
  ref_weights   DPO's frozen reference model (default: a copy of the starting weights)
  loss          {"kind": "simpo", "beta", "gammaBetaRatio", "lossType", "labelSmoothing", "sftWeight"}
                | {"kind": "dpo", "beta", "labelSmoothing"} | {"kind": "sft"}
  optim         {"weightDecay", "beta1", "beta2", "epsilon", "maxGradNorm"}; "noDecay": "hf" (default: biases
                and norm weights are not decayed, as the HF Trainer does) or "none" (decay every parameter)
  batches       micro-batches in order: {"rows", "seqLen", "inputIds", "attentionMask", "labels"} (flat lists,
                row-major; for preference losses rows [0, rows/2) are chosen and [rows/2, rows) rejected)
  lrs           one learning rate per optimizer step; len(batches) = len(lrs) * gradientAccumulationSteps
  gradientAccumulationSteps
  dtype         "float32" (default) or "float64"
  out_weights   where to write the parameters after the last step (safetensors, F32)
  generate      optional {"prompts": [[ids]], "maxNewTokens", "eosIds"}: greedy decoding with the final weights
  rope_configs  optional list of configs: their RoPE inverse frequencies are returned in "rope"
OUTPUT: {"cases": [{"steps": [metrics per step], "generated": [[ids]]?, "seconds": ...}], "rope": [[...]]}
"""
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------------------------
# safetensors (a tiny reader and writer: 8-byte little-endian header length, JSON header, raw data)


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        begin, end = e['data_offsets']
        raw = bytearray(data[base + begin:base + end])
        shape = e['shape']
        if e['dtype'] == 'F32':
            t = torch.frombuffer(raw, dtype=torch.float32) if raw else torch.zeros(0)
        elif e['dtype'] == 'F16':
            t = torch.frombuffer(raw, dtype=torch.float16).float() if raw else torch.zeros(0)
        elif e['dtype'] == 'BF16':
            bits = torch.frombuffer(raw, dtype=torch.int16).to(torch.int32) & 0xFFFF if raw else torch.zeros(0, dtype=torch.int32)
            t = (bits << 16).view(torch.float32)
        else:
            raise ValueError(f'{path}: tensor {name}: dtype {e["dtype"]} not supported by the reference')
        out[name] = t.reshape(shape).clone()
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


# ----------------------------------------------------------------------------------------------------------------
# The model: parameters in a dict keyed by Hugging Face names, the forward pass written out


def head_dim(cfg):
    return cfg.get('head_dim') or cfg['hidden_size'] // cfg['num_attention_heads']


def rms_norm(x, w, eps):
    # as LlamaRMSNorm: normalise in float32, scale after casting back
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rope_inv_freq(cfg):
    """Inverse frequencies [hd/2] in float64, with 'linear' and 'llama3' rope_scaling (Llama 3.1 / 3.2)."""
    hd = head_dim(cfg)
    inv = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    rs = cfg.get('rope_scaling') or {}
    kind = rs.get('rope_type', rs.get('type', 'default'))
    if kind == 'linear':
        inv = inv / rs['factor']
    elif kind == 'llama3':
        factor, lo, hi, old = rs['factor'], rs['low_freq_factor'], rs['high_freq_factor'], rs['original_max_position_embeddings']
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > old / lo, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        blended = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= old / hi) & (wavelen <= old / lo)
        inv = torch.where(medium, blended, scaled)
    elif kind != 'default':
        raise ValueError(f'rope type {kind} not implemented in the reference')
    return inv


def rope_tables(cfg, seq_len, dtype):
    inv_freq = rope_inv_freq(cfg)
    pos = torch.arange(seq_len, dtype=torch.float64)
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def linear(p, name, x):
    y = x @ p[name + '.weight'].t()
    b = p.get(name + '.bias')
    return y if b is None else y + b


def forward(cfg, p, ids, mask):
    """Logits [B, T, V] for token ids [B, T] and attention mask [B, T] (1 = token)."""
    B, T = ids.shape
    H, nh, nkv, hd = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads'], head_dim(cfg)
    eps = cfg['rms_norm_eps']
    emb = p['model.embed_tokens.weight']
    dtype = emb.dtype
    x = emb[ids]
    cos, sin = rope_tables(cfg, T, dtype)
    # additive mask: causal and padding keys get the most negative finite value (as transformers does)
    neg = torch.finfo(dtype).min
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    window = cfg.get('sliding_window')
    if cfg.get('model_type') == 'mistral' and isinstance(window, int) and window > 0:
        # Mistral's sliding window: query t sees key s only when t - s < window
        pos = torch.arange(T)
        causal = causal & ((pos[:, None] - pos[None, :]) < window)
    allowed = causal[None, None, :, :] & mask.bool()[:, None, None, :]
    bias = torch.zeros(B, 1, T, T, dtype=dtype).masked_fill(~allowed, neg)
    for l in range(cfg['num_hidden_layers']):
        pre = f'model.layers.{l}.'
        h = rms_norm(x, p[pre + 'input_layernorm.weight'], eps)
        q = linear(p, pre + 'self_attn.q_proj', h).view(B, T, nh, hd).transpose(1, 2)
        k = linear(p, pre + 'self_attn.k_proj', h).view(B, T, nkv, hd).transpose(1, 2)
        v = linear(p, pre + 'self_attn.v_proj', h).view(B, T, nkv, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if nkv != nh:
            k = k.repeat_interleave(nh // nkv, dim=1)
            v = v.repeat_interleave(nh // nkv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias
        att = torch.softmax(scores, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, nh * hd)
        x = x + linear(p, pre + 'self_attn.o_proj', o)
        h = rms_norm(x, p[pre + 'post_attention_layernorm.weight'], eps)
        g = linear(p, pre + 'mlp.gate_proj', h)
        u = linear(p, pre + 'mlp.up_proj', h)
        x = x + linear(p, pre + 'mlp.down_proj', F.silu(g) * u)
    x = rms_norm(x, p['model.norm.weight'], eps)
    head = p['model.embed_tokens.weight'] if cfg.get('tie_word_embeddings') else p['lm_head.weight']
    return x @ head.t()


# ----------------------------------------------------------------------------------------------------------------
# Losses: the SimPO reference trainer (simpo_trainer.py) and TRL's DPOTrainer


def batch_logps(logits, labels, average):
    """Per-row sum (or mean) of the response tokens' log-probs; labels shifted by one, -100 masked."""
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    keep = labels != -100
    labels[~keep] = 0
    per_tok = torch.gather(logits.log_softmax(-1), 2, labels.unsqueeze(2)).squeeze(2)
    s = (per_tok * keep).sum(-1)
    return s / keep.sum(-1) if average else s


def sft_ce(logits, labels):
    V = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1, :].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100)


def pref_loss(spec, logits, labels, ref_logits):
    kind = spec['kind']
    if kind == 'sft':
        loss = sft_ce(logits, labels)
        return loss, {'loss': loss}
    n = labels.shape[0] // 2
    avg = kind == 'simpo'
    logps = batch_logps(logits, labels, avg)
    c, r = logps[:n], logps[n:]
    beta, ls = spec['beta'], spec.get('labelSmoothing', 0.0)
    if kind == 'simpo':
        z = (c - r) - spec['gammaBetaRatio']
        if spec.get('lossType', 'sigmoid') == 'hinge':
            losses = torch.relu(1 - beta * z)
        else:
            losses = -F.logsigmoid(beta * z) * (1 - ls) - F.logsigmoid(-beta * z) * ls
        rc, rr = beta * c.detach(), beta * r.detach()
    else:  # dpo
        ref = batch_logps(ref_logits, labels, False).detach()
        z = (c - r) - (ref[:n] - ref[n:])
        losses = -F.logsigmoid(beta * z) * (1 - ls) - F.logsigmoid(-beta * z) * ls
        rc, rr = beta * (c - ref[:n]).detach(), beta * (r - ref[n:]).detach()
    loss = losses.mean()
    m = {
        'rewards/chosen': rc.mean(), 'rewards/rejected': rr.mean(), 'rewards/margins': (rc - rr).mean(),
        'rewards/accuracies': (rc > rr).to(logits.dtype).mean(),
        'logps/chosen': c.detach().mean(), 'logps/rejected': r.detach().mean(),
        'logits/chosen': logits[:n].detach().mean(), 'logits/rejected': logits[n:].detach().mean(),
    }
    if kind == 'simpo' and spec.get('sftWeight', 0) > 0:
        sft = sft_ce(logits[:n], labels[:n])
        loss = spec['sftWeight'] * sft + loss
        m['sft_loss'] = sft.detach()
    m['loss'] = loss
    return loss, m


# ----------------------------------------------------------------------------------------------------------------


def run_case(case):
    t0 = time.time()
    dtype = torch.float64 if case.get('dtype') == 'float64' else torch.float32
    cfg = case['config']
    params = {k: v.to(dtype).requires_grad_(True) for k, v in read_safetensors(case['weights']).items()}
    if cfg.get('tie_word_embeddings'):
        params.pop('lm_head.weight', None)
    ref = None
    if case['loss']['kind'] == 'dpo':
        src = read_safetensors(case['ref_weights']) if case.get('ref_weights') else {k: v.detach().clone() for k, v in params.items()}
        ref = {k: v.to(dtype) for k, v in src.items()}
    o = case['optim']
    names = list(params.keys())
    no_decay = o.get('noDecay', 'hf') == 'hf'
    decay = [params[k] for k in names if not (no_decay and (k.endswith('.bias') or k.endswith('norm.weight')))]
    plain = [params[k] for k in names if no_decay and (k.endswith('.bias') or k.endswith('norm.weight'))]
    groups = [{'params': decay, 'weight_decay': o['weightDecay']}]
    if plain:
        groups.append({'params': plain, 'weight_decay': 0.0})
    opt = torch.optim.AdamW(groups, lr=1.0, betas=(o['beta1'], o['beta2']), eps=o['epsilon'], foreach=False)
    ga = case.get('gradientAccumulationSteps', 1)
    batches = case['batches']
    steps = []
    for s, lr in enumerate(case['lrs']):
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        acc = {}
        for mb in batches[s * ga:(s + 1) * ga]:
            shape = (mb['rows'], mb['seqLen'])
            ids = torch.tensor(mb['inputIds'], dtype=torch.long).view(shape)
            mask = torch.tensor(mb['attentionMask'], dtype=torch.long).view(shape)
            labels = torch.tensor(mb['labels'], dtype=torch.long).view(shape)
            logits = forward(cfg, params, ids, mask)
            ref_logits = None
            if ref is not None:
                with torch.no_grad():
                    ref_logits = forward(cfg, ref, ids, mask)
            loss, m = pref_loss(case['loss'], logits, labels, ref_logits)
            (loss / ga).backward()
            for k, v in m.items():
                acc[k] = acc.get(k, 0.0) + float(v) / ga
        grads = [p.grad for p in params.values() if p.grad is not None]
        gnorm = float(torch.norm(torch.stack([g.detach().norm(2) for g in grads]), 2))
        if o.get('maxGradNorm', 0) > 0:
            torch.nn.utils.clip_grad_norm_(list(params.values()), o['maxGradNorm'])
        opt.step()
        acc['grad_norm'] = gnorm
        acc['learning_rate'] = lr
        steps.append(acc)
    result = {'steps': steps}
    if case.get('out_weights'):
        write_safetensors(case['out_weights'], {k: v for k, v in params.items()})
    gen = case.get('generate')
    if gen:
        result['generated'] = greedy(cfg, params, gen['prompts'], gen['maxNewTokens'], set(gen.get('eosIds', [])))
    result['seconds'] = time.time() - t0
    return result


@torch.no_grad()
def greedy(cfg, params, prompts, max_new, eos):
    outs = []
    for prompt in prompts:
        seq, new = list(prompt), []
        for _ in range(max_new):
            ids = torch.tensor([seq], dtype=torch.long)
            nxt = int(forward(cfg, params, ids, torch.ones_like(ids))[0, -1].argmax())
            new.append(nxt)
            seq.append(nxt)
            if nxt in eos:
                break
        outs.append(new)
    return outs


def main():
    inp, outp = sys.argv[1], sys.argv[2]
    with open(inp) as f:
        spec = json.load(f)
    torch.set_num_threads(int(spec.get('threads', 2)))
    torch.manual_seed(0)
    res = {'torch': torch.__version__, 'cases': [run_case(c) for c in spec.get('cases', [])],
           'rope': [rope_inv_freq(c).tolist() for c in spec.get('rope_configs', [])]}
    with open(outp, 'w') as f:
        json.dump(res, f)


if __name__ == '__main__':
    main()
