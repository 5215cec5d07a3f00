// The config module's public API (schema, loading, validation, the `simpo validate` command).
export * from './types';
export * from './findings';
export { KEYS, KEY_BY_NAME, USED_KEYS, ALIASES, ALIAS_BY_NAME, PAPER_SETTINGS, defaultsFor, keyMarkdown, rangeText, inRange } from './schema';
export type { KeySpec, AliasSpec, ValueType, PathKind } from './schema';
export { parseConfigText, loadConfigFile, resolveConfig, configError, absolutize } from './load';
export type { LoadResult, LoadOptions } from './load';
export { checkText, validateText, PathCheckCache } from './validate';
export type { ValidateOptions, Checked } from './validate';
export { runValidate } from './validate-cmd';
