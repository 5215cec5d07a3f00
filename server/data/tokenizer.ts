// A Hugging Face tokenizer from a model folder: tokenizer.json via @huggingface/tokenizers, special tokens and the
// chat template from tokenizer_config.json (the config's chat_template overrides it), ids of last resort from
// config.json (eos_token_id, bos_token_id, pad_token_id).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ChatTemplate, pickChatTemplate } from './chat-template';
import { DataError } from './errors';
import { pathKind } from './hub-cache';
import type { ChatMessage } from './types';

export interface Tokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: ArrayLike<number>, opts?: { skipSpecialTokens?: boolean }): string;
  bosId?: number;
  eosId: number;
  padId: number;
  bosToken?: string;
  eosToken: string;
  vocabSize: number;
  /**
   * Ids that end a generated answer: EOS, config.json / generation_config.json eos_token_id(s), and the end-of-turn
   * tokens of common chat formats present in the vocabulary (<|eot_id|>, <|im_end|>, <end_of_turn>, ...).
   */
  stopIds: number[];
  /** the text of each stop id */
  stopTokens: string[];
  /** the chat template's Jinja source, if any */
  chatTemplate?: string;
  /** true when a chat template is available (from the config or tokenizer_config.json) */
  hasChatTemplate: boolean;
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  tokenToId(token: string): number | undefined;
  /**
   * Added tokens (no lstrip/rstrip/normalization/single_word) that the tokenizer splits out before anything else,
   * so the text before and after one of them encodes independently: encode(a + t + b) = encode(a + t) ++ encode(b).
   * Longest first.
   */
  splitTokens: string[];
  /** where it was loaded from */
  dir: string;
}

export interface LoadTokenizerOptions {
  /** a Jinja chat template overriding tokenizer_config.json's (the config's chat_template) */
  chatTemplate?: string | null;
}

function readJson(file: string, required: boolean): Record<string, unknown> | undefined {
  const k = pathKind(file);
  if (k === undefined) {
    if (required) throw new DataError(`tokenizer file not found: ${file}`);
    return undefined;
  }
  if (k !== 'file') throw new DataError(`${file} is not a regular file`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new DataError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A special token's text: "<s>" or {content: "<s>", ...}. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

function firstId(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return undefined;
}

const END_OF_TURN = ['<|eot_id|>', '<|im_end|>', '<|end_of_text|>', '<|endoftext|>', '<end_of_turn>', '<|end|>', '</s>'];

export function loadTokenizer(modelDir: string, opts: LoadTokenizerOptions = {}): Tokenizer {
  if (pathKind(modelDir) !== 'dir') throw new DataError(`model folder not found: ${modelDir}`);
  const tjFile = join(modelDir, 'tokenizer.json');
  const tokJson = readJson(tjFile, true)!;
  const tokConfig = readJson(join(modelDir, 'tokenizer_config.json'), false) ?? {};
  const modelConfig = readJson(join(modelDir, 'config.json'), false) ?? {};
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokJson, tokConfig);
  } catch (e) {
    throw new DataError(`${tjFile}: cannot build the tokenizer: ${(e as Error).message}`);
  }
  const idOf = (tok: string | undefined) => (tok === undefined ? undefined : hf.token_to_id(tok));

  const bosToken = tokenText(tokConfig.bos_token);
  let bosId = idOf(bosToken);
  if (bosId === undefined && tokConfig.bos_token === undefined) bosId = firstId(modelConfig.bos_token_id);
  let eosToken = tokenText(tokConfig.eos_token);
  let eosId = idOf(eosToken) ?? firstId(modelConfig.eos_token_id);
  if (eosId === undefined) throw new DataError(`${modelDir}: no EOS token (tokenizer_config.json eos_token or config.json eos_token_id)`);
  eosToken ??= hf.id_to_token(eosId) ?? '';
  const padToken = tokenText(tokConfig.pad_token);
  const padId = idOf(padToken) ?? firstId(modelConfig.pad_token_id) ?? eosId; // HF practice: pad with EOS when no pad token
  let vocabSize = 0;
  for (const id of hf.get_vocab(true).values()) if (id + 1 > vocabSize) vocabSize = id + 1;

  const splitTokens = (Array.isArray(tokJson.added_tokens) ? tokJson.added_tokens : [])
    .filter((t: Record<string, unknown>) => typeof t.content === 'string' && t.content !== '' && !t.lstrip && !t.rstrip && !t.normalized && !t.single_word)
    .map((t: Record<string, unknown>) => t.content as string)
    .sort((a: string, b: string) => b.length - a.length);

  const genConfig = readJson(join(modelDir, 'generation_config.json'), false) ?? {};
  const stop = new Set<number>([eosId]);
  for (const v of [modelConfig.eos_token_id, genConfig.eos_token_id]) {
    for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'number') stop.add(id);
  }
  for (const t of END_OF_TURN) { const id = hf.token_to_id(t); if (id !== undefined) stop.add(id); }
  const stopIds = [...stop];

  const templateSource = opts.chatTemplate ?? pickChatTemplate(tokConfig.chat_template);
  const origin = opts.chatTemplate ? 'chat_template (config)' : join(modelDir, 'tokenizer_config.json') + ' chat_template';
  const context: Record<string, unknown> = { bos_token: bosToken ?? '', eos_token: eosToken };
  for (const k of ['pad_token', 'unk_token', 'sep_token', 'cls_token', 'mask_token']) {
    const t = tokenText(tokConfig[k]);
    if (t !== undefined) context[k] = t;
  }
  const template = templateSource ? new ChatTemplate(templateSource, context, origin) : undefined;

  return {
    dir: modelDir,
    bosId,
    bosToken,
    eosId,
    eosToken,
    padId,
    vocabSize,
    hasChatTemplate: !!template,
    chatTemplate: templateSource,
    splitTokens,
    stopIds,
    stopTokens: stopIds.map((id) => hf.id_to_token(id)).filter((t): t is string => typeof t === 'string' && t !== ''),
    encode: (text, o = {}) => hf.encode(text, { add_special_tokens: o.addSpecialTokens ?? false }).ids,
    decode: (ids, o = {}) => hf.decode(Array.from(ids), { skip_special_tokens: o.skipSpecialTokens ?? false }),
    tokenToId: (t) => hf.token_to_id(t),
    applyChatTemplate(messages, o = {}) {
      if (!template) throw new DataError(`${modelDir}: the tokenizer has no chat template (tokenizer_config.json chat_template); set chat_template in the config or use a strings dataset`);
      return template.render(messages, o);
    },
  };
}
