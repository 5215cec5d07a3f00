// Shared types of the data layer: where a row came from, what was wrong with it, what a normalised pair looks like.

/** Where a row lives: the file, its 1-based line (JSONL only), its 0-based row index, and its byte offset (JSONL). */
export interface RowLocation {
  file: string;
  line?: number;
  index: number;
  byteOffset?: number;
}

/** A row that was not used, and why. */
export interface BadRow {
  file: string;
  line?: number;
  index: number;
  reason: string;
}

/** A row read from a file: the parsed value, or `parseError` when the text was not valid JSON. */
export interface RawRow {
  row: unknown;
  loc: RowLocation;
  parseError?: string;
}

export type Layout = 'strings' | 'messages' | 'ultrafeedback' | 'hh-rlhf';

export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * A preference pair in one shape whatever the file's layout. Exactly one of promptMessages (rendered with the chat
 * template) and promptText (used as is) is set. chosenText / rejectedText are the raw response texts; for chat layouts
 * the chat-template rendering of the response turn is done at tokenization time (chosenMessage / rejectedMessage).
 */
export interface NormalizedPair {
  promptMessages?: ChatMessage[];
  promptText?: string;
  chosenText: string;
  rejectedText: string;
  /** the final assistant turns, for chat layouts (rendered with the template when tokenizing) */
  chosenMessage?: ChatMessage;
  rejectedMessage?: ChatMessage;
  loc: RowLocation;
}

export type BadRowsMode = 'skip' | 'fail';
