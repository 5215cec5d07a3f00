// Dataset layouts, detected from the first rows and normalised to NormalizedPair:
//   strings        {prompt, chosen, rejected} as strings
//   messages       chosen / rejected as lists of assistant messages [{role, content}], prompt a message list or a
//                  string (TRL's conversational format)
//   ultrafeedback  {prompt, chosen, rejected} where chosen / rejected are whole conversations ending in the assistant
//                  turn; the prompt messages are chosen[:-1] (the layout of HuggingFaceH4/ultrafeedback_binarized
//                  that the SimPO reference trains on)
//   hh-rlhf        chosen / rejected as whole transcripts "\n\nHuman: ...\n\nAssistant: ..."; the prompt is their
//                  shared prefix up to and including the last "\n\nAssistant:" (Anthropic/hh-rlhf)
import type { ChatMessage, Layout, NormalizedPair, RowLocation } from './types';

export const LAYOUTS: readonly Layout[] = ['strings', 'messages', 'ultrafeedback', 'hh-rlhf'];
const HH_ASSISTANT = '\n\nAssistant:';
const HH_HUMAN = '\n\nHuman:';

export type Normalized = { ok: true; pair: NormalizedPair } | { ok: false; reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeMessages(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && v.every((m) => isObject(m) && 'role' in m);
}

/** The layout of one row, or undefined when it fits none. */
export function rowLayout(row: unknown): Layout | undefined {
  if (!isObject(row)) return undefined;
  const { prompt, chosen, rejected } = row;
  if (typeof chosen === 'string' && typeof rejected === 'string') {
    if (typeof prompt === 'string') return 'strings';
    if (chosen.includes(HH_ASSISTANT) && chosen.includes(HH_HUMAN)) return 'hh-rlhf';
    return undefined;
  }
  if (looksLikeMessages(chosen) && looksLikeMessages(rejected)) {
    const nonAssistant = (chosen as Record<string, unknown>[]).some((m) => m.role !== 'assistant');
    return nonAssistant ? 'ultrafeedback' : 'messages';
  }
  return undefined;
}

/**
 * The layout of a dataset: the most common layout among the first rows that fit one (ties go to the earliest).
 * Undefined when no row fits any layout.
 */
export function detectLayout(rows: unknown[], sample = 50): Layout | undefined {
  const counts = new Map<Layout, number>();
  let seen = 0;
  for (const row of rows) {
    const l = rowLayout(row);
    if (!l) continue;
    counts.set(l, (counts.get(l) ?? 0) + 1);
    if (++seen >= sample) break;
  }
  let best: Layout | undefined;
  for (const [l, n] of counts) if (!best || n > counts.get(best)!) best = l;
  return best;
}

/** Text of a message's content: a string, or a list of {type: 'text', text} parts. Else an error reason. */
function contentText(content: unknown, field: string): string | { reason: string } {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const p of content) {
      if (isObject(p) && p.type === 'text' && typeof p.text === 'string') parts.push(p.text);
      else return { reason: `non-text content in ${field}${isObject(p) && typeof p.type === 'string' ? ` (a "${p.type}" part)` : ''}` };
    }
    return parts.join('');
  }
  if (content === undefined || content === null) return { reason: `missing field ${field}` };
  return { reason: `non-text content in ${field} (a ${typeof content})` };
}

function messageList(v: unknown, field: string): ChatMessage[] | { reason: string } {
  if (v === undefined || v === null) return { reason: `missing field ${field}` };
  if (!Array.isArray(v)) return { reason: `non-text content in ${field}: expected a list of {role, content} messages, got a ${typeof v}` };
  if (v.length === 0) return { reason: `empty field ${field}` };
  const out: ChatMessage[] = [];
  for (let i = 0; i < v.length; i++) {
    const m = v[i];
    const f = `${field}[${i}]`;
    if (!isObject(m)) return { reason: `non-text content in ${f}: expected a {role, content} message` };
    if (typeof m.role !== 'string' || m.role === '') return { reason: `missing field ${f}.role` };
    const text = contentText(m.content, `${f}.content`);
    if (typeof text !== 'string') return text;
    out.push({ role: m.role, content: text });
  }
  return out;
}

function stringField(row: Record<string, unknown>, field: string): string | { reason: string } {
  const v = row[field];
  if (v === undefined || v === null) return { reason: `missing field ${field}` };
  if (typeof v !== 'string') return { reason: `non-text content in ${field}: expected a string, got ${Array.isArray(v) ? 'a list' : `a ${typeof v}`}` };
  if (v.trim() === '') return { reason: `empty field ${field}` };
  return v;
}

const fail = (reason: string): Normalized => ({ ok: false, reason });

function lastAssistant(msgs: ChatMessage[], field: string): ChatMessage | { reason: string } {
  const last = msgs[msgs.length - 1];
  if (last.role !== 'assistant') return { reason: `${field} does not end with an assistant message (last role: ${last.role})` };
  if (last.content.trim() === '') return { reason: `empty field ${field}[${msgs.length - 1}].content` };
  return last;
}

/** Normalises one row of a known layout, or says why it cannot be used (allowEqual: SFT does not need chosen ≠ rejected). */
export function normalizeRow(row: unknown, layout: Layout, loc: RowLocation, opts: { allowEqual?: boolean } = {}): Normalized {
  const same = (a: string, b: string) => !opts.allowEqual && a === b;
  if (!isObject(row)) return fail(`row is not an object (got ${Array.isArray(row) ? 'a list' : row === null ? 'null' : `a ${typeof row}`})`);
  switch (layout) {
    case 'strings': {
      const prompt = stringField(row, 'prompt');
      if (typeof prompt !== 'string') return fail(prompt.reason);
      const chosen = stringField(row, 'chosen');
      if (typeof chosen !== 'string') return fail(chosen.reason);
      const rejected = stringField(row, 'rejected');
      if (typeof rejected !== 'string') return fail(rejected.reason);
      if (same(chosen, rejected)) return fail('chosen equals rejected');
      return { ok: true, pair: { promptText: prompt, chosenText: chosen, rejectedText: rejected, loc } };
    }
    case 'messages': {
      const chosen = messageList(row.chosen, 'chosen');
      if ('reason' in chosen) return fail(chosen.reason);
      const rejected = messageList(row.rejected, 'rejected');
      if ('reason' in rejected) return fail(rejected.reason);
      let promptMessages: ChatMessage[];
      if (typeof row.prompt === 'string') {
        if (row.prompt.trim() === '') return fail('empty field prompt');
        promptMessages = [{ role: 'user', content: row.prompt }];
      } else {
        const p = messageList(row.prompt, 'prompt');
        if ('reason' in p) return fail(p.reason);
        promptMessages = p;
      }
      // the prompt turns plus all but the last response turn (multi-turn completions keep their history in the prompt)
      const c = lastAssistant(chosen, 'chosen');
      if ('reason' in c) return fail(c.reason);
      const r = lastAssistant(rejected, 'rejected');
      if ('reason' in r) return fail(r.reason);
      if (same(c.content, r.content)) return fail('chosen equals rejected');
      return { ok: true, pair: { promptMessages: [...promptMessages, ...chosen.slice(0, -1)], chosenText: c.content, rejectedText: r.content, chosenMessage: c, rejectedMessage: r, loc } };
    }
    case 'ultrafeedback': {
      const chosen = messageList(row.chosen, 'chosen');
      if ('reason' in chosen) return fail(chosen.reason);
      const rejected = messageList(row.rejected, 'rejected');
      if ('reason' in rejected) return fail(rejected.reason);
      if (chosen.length < 2) return fail('chosen has no prompt turns: expected [user, ..., assistant] (ultrafeedback layout)');
      const c = lastAssistant(chosen, 'chosen');
      if ('reason' in c) return fail(c.reason);
      const r = lastAssistant(rejected, 'rejected');
      if ('reason' in r) return fail(r.reason);
      if (same(c.content, r.content)) return fail('chosen equals rejected');
      return { ok: true, pair: { promptMessages: chosen.slice(0, -1), chosenText: c.content, rejectedText: r.content, chosenMessage: c, rejectedMessage: r, loc } };
    }
    case 'hh-rlhf': {
      const chosen = stringField(row, 'chosen');
      if (typeof chosen !== 'string') return fail(chosen.reason);
      const rejected = stringField(row, 'rejected');
      if (typeof rejected !== 'string') return fail(rejected.reason);
      if (same(chosen, rejected)) return fail('chosen equals rejected');
      const split = splitHhRlhf(chosen, rejected);
      if (typeof split === 'string') return fail(split);
      return { ok: true, pair: { promptText: split.prompt, chosenText: split.chosen, rejectedText: split.rejected, loc } };
    }
  }
}

/** The shared prompt (through the last "\n\nAssistant:" both transcripts share) and the two responses. */
export function splitHhRlhf(chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string } | string {
  let common = 0;
  const n = Math.min(chosen.length, rejected.length);
  while (common < n && chosen.charCodeAt(common) === rejected.charCodeAt(common)) common++;
  const at = chosen.lastIndexOf(HH_ASSISTANT, common - HH_ASSISTANT.length);
  if (at < 0 || common < HH_ASSISTANT.length) return `chosen and rejected share no "\\n\\nAssistant:" turn (hh-rlhf layout)`;
  const cut = at + HH_ASSISTANT.length;
  const c = chosen.slice(cut);
  const r = rejected.slice(cut);
  if (c.trim() === '') return 'empty field chosen (no text after the last "Assistant:")';
  if (r.trim() === '') return 'empty field rejected (no text after the last "Assistant:")';
  return { prompt: chosen.slice(0, cut), chosen: c, rejected: r };
}
