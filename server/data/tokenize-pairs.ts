// Tokenization of preference pairs, following the SimPO reference trainer (scripts/simpo_trainer.py tokenize_row):
//  - the prompt: promptText as is, or promptMessages rendered with the chat template and its generation prompt;
//    responses of chat layouts are the text the template adds for the final assistant turn (TRL's
//    maybe_apply_chat_template: render(prompt + [turn]) minus render(prompt, add_generation_prompt)), so the whole
//    sequence is exactly what the template renders for the conversation.
//  - all parts are encoded without special tokens; BOS is prepended to the prompt if the tokenizer has one and the
//    prompt does not already start with it (never two BOS); EOS is appended to each response unless already last.
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
  loc: RowLocation;
  /** true when the prompt or a response was cut */
  truncated: boolean;
}

export interface TokenizeResult {
  pairs: TokenizedPair[];
  bad: BadRow[];
  truncated: number;
}

/** The text of a response turn as the chat template renders it after `prompt` (with the generation prompt). */
export function renderResponse(tok: Tokenizer, prompt: ChatMessage[], turn: ChatMessage, withGen = tok.applyChatTemplate(prompt, { addGenerationPrompt: true })): string {
  const full = tok.applyChatTemplate([...prompt, turn], { addGenerationPrompt: false });
  if (full.startsWith(withGen)) return full.slice(withGen.length);
  const noGen = tok.applyChatTemplate(prompt, { addGenerationPrompt: false });
  if (full.startsWith(noGen)) return full.slice(noGen.length);
  throw new Error('the chat template renders the conversation differently from its prompt, so the response cannot be separated');
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
  let promptIds = tok.encode(promptText, { addSpecialTokens: false });
  let chosenIds = tok.encode(chosenText, { addSpecialTokens: false });
  let rejectedIds = sft ? [] : tok.encode(rejectedText, { addSpecialTokens: false });

  if (tok.bosId !== undefined && (promptIds.length === 0 || promptIds[0] !== tok.bosId)) promptIds = [tok.bosId, ...promptIds];
  if (chosenIds.length === 0 || chosenIds[chosenIds.length - 1] !== tok.eosId) chosenIds.push(tok.eosId);
  if (!sft && (rejectedIds.length === 0 || rejectedIds[rejectedIds.length - 1] !== tok.eosId)) rejectedIds.push(tok.eosId);

  const { maxLength, maxPromptLength } = opts;
  let truncated = false;
  const longer = Math.max(chosenIds.length, rejectedIds.length);
  if (promptIds.length + longer > maxLength && promptIds.length > maxPromptLength) {
    promptIds = opts.truncationMode === 'keep_start' ? promptIds.slice(0, maxPromptLength) : promptIds.slice(promptIds.length - maxPromptLength);
    truncated = true;
  }
  if (promptIds.length + longer > maxLength) {
    const room = maxLength - maxPromptLength;
    if (chosenIds.length > room) { chosenIds = chosenIds.slice(0, Math.max(0, room)); truncated = true; }
    if (rejectedIds.length > room) { rejectedIds = rejectedIds.slice(0, Math.max(0, room)); truncated = true; }
  }
  if (chosenIds.length === 0 || (!sft && rejectedIds.length === 0) || promptIds.length + Math.max(chosenIds.length, rejectedIds.length) > maxLength) {
    return bad(pair.loc, `over-long after truncation: the prompt (${promptIds.length} tokens, max_prompt_length ${maxPromptLength}) leaves no room for the response (max_length ${maxLength})`);
  }
  return { promptIds: Int32Array.from(promptIds), chosenIds: Int32Array.from(chosenIds), rejectedIds: Int32Array.from(rejectedIds), loc: pair.loc, truncated };
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
