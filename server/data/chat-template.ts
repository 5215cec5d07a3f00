// Chat templates (Jinja, as in tokenizer_config.json) rendered with @huggingface/jinja, with the variables
// transformers passes: messages, add_generation_prompt, bos_token, eos_token and the other special tokens.
import { Template } from '@huggingface/jinja';
import { DataError } from './errors';
import type { ChatMessage } from './types';

export interface ChatTemplateContext {
  bos_token?: string;
  eos_token?: string;
  pad_token?: string;
  unk_token?: string;
  [key: string]: unknown;
}

export class ChatTemplate {
  private readonly template: Template;

  constructor(readonly source: string, private readonly context: ChatTemplateContext = {}, readonly origin = 'chat_template') {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new DataError(`${origin}: the chat template does not parse: ${(e as Error).message}`);
    }
  }

  render(messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    try {
      return this.template.render({
        ...this.context,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: opts.addGenerationPrompt ?? false,
      });
    } catch (e) {
      throw new DataError(`${this.origin}: rendering the chat template failed: ${(e as Error).message}`);
    }
  }
}

/** tokenizer_config.json's chat_template: a string, or a list of {name, template} (the one named "default"). */
export function pickChatTemplate(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.filter((t): t is { name: string; template: string } => !!t && typeof t.template === 'string');
    return (named.find((t) => t.name === 'default') ?? named[0])?.template;
  }
  return undefined;
}
