// Which documents are training configs: a path matching the configured globs, or YAML whose top-level keys look
// like one (a beta / gamma_beta_ratio key, or TRL / LLaMA-Factory equivalents, beside training keys).
import { fileURLToPath } from 'node:url';
import { matchesAny } from './glob';

const OBJECTIVE = /^(beta|gamma_beta_ratio|simpo_gamma|pref_beta|pref_loss)[ \t]*:/m;
const TRAINING = /^(model_name_or_path|learning_rate|per_device_train_batch_size|gradient_accumulation_steps|num_train_epochs|max_steps|dataset|dataset_mixer|max_length|max_prompt_length|algorithm|loss_type)[ \t]*:/m;
const SNIFF_CHARS = 64 * 1024;

/** The file system path of a file: URI; for other schemes (untitled:...), the path part. */
export function uriPath(uri: string): string {
  try {
    if (uri.startsWith('file:')) return fileURLToPath(uri);
    return decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:(\/\/[^/]*)?/i, ''));
  } catch {
    return uri;
  }
}

export function isYamlUri(uri: string, languageId?: string): boolean {
  return languageId === 'yaml' || /\.ya?ml$/i.test(uri);
}

export function looksLikeConfig(text: string): boolean {
  const head = text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text;
  return OBJECTIVE.test(head) && TRAINING.test(head);
}

export function isConfigDocument(uri: string, languageId: string | undefined, text: string, globs: readonly string[]): boolean {
  if (!isYamlUri(uri, languageId)) return false;
  const p = uriPath(uri);
  if (matchesAny(p, globs)) return true;
  return looksLikeConfig(text);
}
