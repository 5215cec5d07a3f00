// Tokenization of preference pairs, following the SimPO reference trainer (scripts/simpo_trainer.py tokenize_row):
//  - the prompt: promptText as is, or promptMessages rendered with the chat template and its generation prompt;
//    responses of chat layouts are the text the template adds for the final assistant turn (TRL's
//    maybe_apply_chat_template: render(prompt + [turn]) minus render(prompt, add_generation_prompt)), so the whole
//    sequence is exactly what the template renders for the conversation.
//  - encoding adds no special tokens; each response is encoded together with its prompt and split where the prompt's
//    tokens end (build_tokenized_answer), so a token merging across the boundary goes to the response as in the
//    reference; BOS is prepended to the prompt if the tokenizer has one and the prompt does not already start with it
//    (never two BOS); EOS is appended to each response unless already last.
//  - truncation when prompt + longer response > max_length: the prompt is cut to max_prompt_length (keep_end keeps
//    its end, keep_start its start; as in the reference this happens after BOS is added, so keep_end may drop it),
//    then, if still too long, both responses are cut to max_length − max_prompt_length.
import type { Tokenizer } from './tokenizer';
import type { BadRow, ChatMessage, NormalizedPair, RowLocation } from './types';
import type { Algorithm } from '../config/types';

export type TruncationMode = 'keep_end' | 'keep_start';

export interface TokenizeOptions {
  maxLength: number;
  maxPromptLength: number;
  truncationMode: TruncationMode;
  algorithm: Algorithm;
}

/** Token ids as Int32Array (half the memory of number[] for datasets of millions of tokens). */
export interface TokenizedPair {
  promptIds: Int32Array;
  chosenIds: Int32Array;
  /** empty for SFT */
  rejectedIds: Int32Array;
  /**
   * the rejected row's prompt, only when it differs from promptIds (the last prompt token merged with one response
   * and not the other, as the reference allows: one token at most)
   */
  rejectedPromptIds?: Int32Array;
  loc: RowLocation;
  /** true when the prompt or a response was cut */
  truncated: boolean;
}

export interface TokenizeResult {
  pairs: TokenizedPair[];
  bad: BadRow[];
  truncated: number;
}

/**
 * The text of a response turn as the chat template renders it after `prompt` (with the generation prompt). A template
 * that appends the generation prompt whatever add_generation_prompt says (some shipped Llama 3 templates do) would
 * put a new assistant header after the response: then the response is cut after its first end-of-turn token.
 */
export function renderResponse(tok: Tokenizer, prompt: ChatMessage[], turn: ChatMessage, withGen = tok.applyChatTemplate(prompt, { addGenerationPrompt: true })): string {
  const full = tok.applyChatTemplate([...prompt, turn], { addGenerationPrompt: false });
  const noGen = tok.applyChatTemplate(prompt, { addGenerationPrompt: false });
  let response: string;
  if (full.startsWith(withGen)) response = full.slice(withGen.length);
  else if (full.startsWith(noGen)) response = full.slice(noGen.length);
  else throw new Error('the chat template renders the conversation differently from its prompt, so the response cannot be separated');
  if (withGen === noGen) {
    let end = -1;
    for (const t of tok.stopTokens) {
      const at = response.indexOf(t);
      if (at >= 0 && (end < 0 || at + t.length < end)) end = at + t.length;
    }
    if (end > 0) response = response.slice(0, end);
  }
  return response;
}

function bad(loc: RowLocation, reason: string): BadRow {
  return { file: loc.file, ...(loc.line !== undefined ? { line: loc.line } : {}), index: loc.index, reason };
}

export function tokenizePair(pair: NormalizedPair, tok: Tokenizer, opts: TokenizeOptions): TokenizedPair | BadRow {
  const sft = opts.algorithm === 'sft';
  let promptText: string;
  let chosenText: string;
  let rejectedText: string;
  try {
    if (pair.promptMessages) {
      promptText = tok.applyChatTemplate(pair.promptMessages, { addGenerationPrompt: true });
      chosenText = renderResponse(tok, pair.promptMessages, pair.chosenMessage ?? { role: 'assistant', content: pair.chosenText }, promptText);
      rejectedText = sft ? '' : renderResponse(tok, pair.promptMessages, pair.rejectedMessage ?? { role: 'assistant', content: pair.rejectedText }, promptText);
    } else {
      promptText = pair.promptText ?? '';
      chosenText = pair.chosenText;
      rejectedText = sft ? '' : pair.rejectedText;
    }
  } catch (e) {
    return bad(pair.loc, `chat template: ${(e as Error).message}`);
  }
  if (tok.bosToken) {
    // a response never starts with BOS (templates that add it to the first message would add it again)
    if (chosenText.startsWith(tok.bosToken)) chosenText = chosenText.slice(tok.bosToken.length);
    if (rejectedText.startsWith(tok.bosToken)) rejectedText = rejectedText.slice(tok.bosToken.length);
  }
  const enc = promptEncoder(tok, promptText);
  const chosen = enc.answer(chosenText);
  const rejected = sft ? chosen && { prompt: chosen.prompt, answer: [] as number[] } : enc.answer(rejectedText);
  if (!chosen || !rejected) return bad(pair.loc, 'the prompt tokenizes differently with the response appended (tokens merge across the boundary by more than one token)');
  if (!sft) {
    // the reference allows the two prompts to differ by one merged token at most
    const diffLen = Math.abs(chosen.prompt.length - rejected.prompt.length);
    let diffTok = 0;
    for (let i = 0; i < Math.min(chosen.prompt.length, rejected.prompt.length); i++) if (chosen.prompt[i] !== rejected.prompt[i]) diffTok++;
    if (diffLen > 1 || diffTok > 1) return bad(pair.loc, 'chosen and rejected prompts tokenize differently by more than one token');
  }
  const withBos = (ids: number[]) => (tok.bosId !== undefined && (ids.length === 0 || ids[0] !== tok.bosId) ? [tok.bosId, ...ids] : ids);
  let chosenPrompt = withBos(chosen.prompt);
  let rejectedPrompt = withBos(rejected.prompt);
  let chosenIds = chosen.answer;
  let rejectedIds = rejected.answer;
  if (chosenIds.length === 0 || chosenIds[chosenIds.length - 1] !== tok.eosId) chosenIds.push(tok.eosId);
  if (!sft && (rejectedIds.length === 0 || rejectedIds[rejectedIds.length - 1] !== tok.eosId)) rejectedIds.push(tok.eosId);

  const { maxLength, maxPromptLength } = opts;
  let truncated = false;
  const longer = Math.max(chosenIds.length, rejectedIds.length);
  const cutPrompt = (ids: number[]) => {
    if (ids.length + longer <= maxLength || ids.length <= maxPromptLength) return ids;
    truncated = true;
    return opts.truncationMode === 'keep_start' ? ids.slice(0, maxPromptLength) : ids.slice(ids.length - maxPromptLength);
  };
  chosenPrompt = cutPrompt(chosenPrompt);
  rejectedPrompt = cutPrompt(rejectedPrompt);
  const room = maxLength - maxPromptLength;
  const cutAnswer = (prompt: number[], ids: number[]) => {
    if (prompt.length + longer <= maxLength || ids.length <= room) return ids;
    truncated = true;
    return ids.slice(0, Math.max(0, room));
  };
  chosenIds = cutAnswer(chosenPrompt, chosenIds);
  if (!sft) rejectedIds = cutAnswer(rejectedPrompt, rejectedIds);
  if (chosenIds.length === 0 || (!sft && rejectedIds.length === 0) || chosenPrompt.length + chosenIds.length > maxLength || rejectedPrompt.length + rejectedIds.length > maxLength) {
    return bad(pair.loc, `over-long after truncation: the prompt (${chosenPrompt.length} tokens, max_prompt_length ${maxPromptLength}) leaves no room for the response (max_length ${maxLength})`);
  }
  const out: TokenizedPair = { promptIds: Int32Array.from(chosenPrompt), chosenIds: Int32Array.from(chosenIds), rejectedIds: Int32Array.from(rejectedIds), loc: pair.loc, truncated };
  if (!sft && !sameIds(chosenPrompt, rejectedPrompt)) out.rejectedPromptIds = Int32Array.from(rejectedPrompt);
  return out;
}

function sameIds(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The reference's build_tokenized_answer: the response is tokenized together with its prompt (enc(prompt + answer))
 * and split where the prompt's own tokens end, one token earlier when the last prompt token merged with the answer.
 * The prompt is split at its last added token (e.g. <|end_header_id|>), which the tokenizer separates out before
 * anything else, so only the short tail after it is re-encoded with each response.
 */
export function promptEncoder(tok: Tokenizer, prompt: string): { promptIds: number[]; answer(text: string): { prompt: number[]; answer: number[] } | undefined } {
  let cut = 0;
  for (const t of tok.splitTokens) {
    const at = prompt.lastIndexOf(t);
    if (at >= 0 && at + t.length > cut) cut = at + t.length;
  }
  const head = cut > 0 ? tok.encode(prompt.slice(0, cut)) : [];
  const tail = prompt.slice(cut);
  const promptIds = tail ? head.concat(tok.encode(tail)) : head;
  return {
    promptIds,
    answer(text: string) {
      const full = head.concat(tok.encode(tail + text));
      let start = promptIds.length;
      if (full.length < start) return undefined;
      for (let i = head.length; i < start; i++) if (full[i] !== promptIds[i]) { start -= 1; break; }
      return { prompt: full.slice(0, start), answer: full.slice(start) };
    },
  };
}

export function tokenizePairs(rows: Iterable<NormalizedPair>, tok: Tokenizer, opts: TokenizeOptions): TokenizeResult {
  if (!(opts.maxLength > 0)) throw new RangeError(`max_length must be positive (got ${opts.maxLength})`);
  if (!(opts.maxPromptLength >= 0)) throw new RangeError(`max_prompt_length must be ≥ 0 (got ${opts.maxPromptLength})`);
  const pairs: TokenizedPair[] = [];
  const badRows: BadRow[] = [];
  let truncated = 0;
  for (const row of rows) {
    const r = tokenizePair(row, tok, opts);
    if ('reason' in r) badRows.push(r);
    else { pairs.push(r); if (r.truncated) truncated++; }
  }
  return { pairs, bad: badRows, truncated };
}
