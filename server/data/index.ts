// The data layer's public API: readers, layouts, bad rows, HF cache resolution, tokenizer and chat template,
// tokenization of pairs, batching, eval split, and the top-level loadPreferenceData / peekDataset.
export * from './types';
export { DataError, describeLocation } from './errors';
export { BadRows, BAD_ROWS_LISTED, summarizeBadRows } from './bad-rows';
export { openRows, checkRegularFile, dataKind, DATA_EXTENSIONS, openJsonlRows, indexJsonl, JsonlRowReader, openJsonRows, openParquetRows, parquetInfo } from './readers';
export type { JsonlIndex } from './readers';
export { LAYOUTS, detectLayout, rowLayout, normalizeRow, splitHhRlhf } from './layouts';
export type { Normalized } from './layouts';
export { hubCacheDir, resolveModel, resolveDataset, splitFiles, listSplits, looksLikeHubId, pathKind } from './hub-cache';
export type { ResolvedDataset, ResolveOptions } from './hub-cache';
export { loadTokenizer } from './tokenizer';
export type { Tokenizer, LoadTokenizerOptions } from './tokenizer';
export { ChatTemplate, pickChatTemplate } from './chat-template';
export { tokenizePairs, tokenizePair, renderResponse, promptEncoder } from './tokenize-pairs';
export type { TokenizedPair, TokenizeOptions, TokenizeResult, TruncationMode } from './tokenize-pairs';
export { makeBatches, makeSftBatches, batchOrder, collatePairs, collateSft, batchesPerEpoch, mulberry32, mixSeed, seededPermutation, IGNORE_INDEX } from './batching';
export type { BatchOptions, DataBatch } from './batching';
export { splitIndices, splitRows } from './split';
export type { IndexSplit } from './split';
export { readPairs, peekDataset, loadPreferenceData, formatDataReport } from './load';
export type { PeekResult, PreferenceDataOptions, PreferenceData, DataReport, ReadResult } from './load';
export { IndexedJsonl } from './indexed';
export { cacheKey, readCache, writeCache } from './cache';
