// Per-key rules: known keys (type, enum, range), no-effect keys, aliases (converted, explained, fixable) and
// unknown keys (did-you-mean). Fills `values` with the usable values of this project's keys.
import type { Entry, ParsedConfig } from '../parse';
import { ALIAS_BY_NAME, KEY_BY_NAME, KEYS, USED_KEYS, defaultsFor, inRange, lossTypeValueAlias, rangeText, type AliasRewrite } from '../schema';
import type { SimpoConfig } from '../types';
import { didYouMean } from './did-you-mean';
import { checkValue, type Emit } from './values';

export interface KeyRuleOptions {
  /** report keys that have no effect here (information) */
  noEffectKeys: boolean;
}

export interface KeyRuleResult {
  /** values written (or converted from aliases) for this project's keys */
  values: Partial<Record<keyof SimpoConfig, unknown>>;
  /** where each value came from (the entry of the key or of the alias it was converted from) */
  origin: Map<string, Entry>;
}

const KNOWN_NAMES = [...KEYS.map((k) => k.name), ...ALIAS_BY_NAME.keys()];

export function checkKeys(p: ParsedConfig, opts: KeyRuleOptions, emit: Emit): KeyRuleResult {
  const values: Record<string, unknown> = {};
  const origin = new Map<string, Entry>();
  const aliasEntries: Entry[] = [];

  for (const e of p.entries) {
    if (p.byKey.get(e.key) !== e) continue; // duplicate key, already a YAML error
    const spec = KEY_BY_NAME.get(e.key);
    if (spec) {
      if (spec.effect === 'no-effect') {
        if (opts.noEffectKeys) emit({ range: e.keyRange, severity: 'information', code: 'no-effect', message: `\`${e.key}\` has no effect here: ${spec.why}` });
        continue;
      }
      if (spec.name === 'loss_type') {
        const rw = lossTypeValueAlias(e.value);
        if (rw) { applyRewrite(rw, e, values, origin, emit, false); continue; }
      }
      const v = checkValue(spec, e, emit);
      if (v !== undefined) { values[spec.name] = v; origin.set(spec.name, e); }
      continue;
    }
    if (ALIAS_BY_NAME.has(e.key)) { aliasEntries.push(e); continue; }
    const guess = didYouMean(e.key, KNOWN_NAMES);
    emit({
      range: e.keyRange, severity: 'error', code: 'unknown-key',
      message: `unknown key \`${e.key}\`${guess ? `: did you mean \`${guess}\`?` : ''}`,
      data: guess ? { kind: 'rename', from: e.key, to: guess } : undefined,
    });
  }

  // Aliases after the project's own keys: a conversion may need beta (simpo_gamma / beta), and a key written
  // under its own name wins over an alias of it.
  const alg = (values.algorithm as SimpoConfig['algorithm'] | undefined) ?? algorithmFromAliases(aliasEntries) ?? 'simpo';
  const betaEntry = p.byKey.get('pref_beta');
  const betaWritten = typeof values.beta === 'number' ? values.beta : typeof betaEntry?.value === 'number' && betaEntry.value > 0 ? betaEntry.value : undefined;
  const ctx = { beta: betaWritten ?? (defaultsFor(alg).beta), betaWasSet: betaWritten !== undefined };
  for (const e of aliasEntries) {
    const a = ALIAS_BY_NAME.get(e.key)!;
    const rw = a.convert(e.value, ctx);
    if (typeof rw === 'string') {
      emit({ range: e.valueRange, severity: 'error', code: 'alias', message: rw });
      continue;
    }
    applyRewrite(rw, e, values, origin, emit, true);
  }
  return { values: values as KeyRuleResult['values'], origin };
}

function algorithmFromAliases(entries: Entry[]): SimpoConfig['algorithm'] | undefined {
  const pl = entries.find((e) => e.key === 'pref_loss');
  return pl?.value === 'sigmoid' || pl?.value === 'hinge' ? 'dpo' : pl?.value === 'simpo' ? 'simpo' : undefined;
}

function applyRewrite(rw: AliasRewrite, e: Entry, values: Record<string, unknown>, origin: Map<string, Entry>, emit: Emit, isKeyAlias: boolean): void {
  const conflicts = rw.set.filter((s) => isKeyAlias && origin.has(s.key) && origin.get(s.key)!.key === s.key);
  const title = rw.set.length
    ? `Convert to ${rw.set.map((s) => `${s.key}: ${JSON.stringify(s.value)}`).join(', ')}`
    : `Remove ${e.key}`;
  if (conflicts.length) {
    emit({ range: e.keyRange, severity: 'warning', code: 'alias-conflict', message: `\`${e.key}\` is an alias of \`${conflicts.map((c) => c.key).join('`, `')}\`, which is also set: the alias is ignored. ${rw.explain}`,
      data: { kind: 'rewrite', remove: e.key, set: [], title: `Remove ${e.key}` } });
    return;
  }
  for (const s of rw.set) {
    const spec = USED_KEYS.find((k) => k.name === s.key);
    if (!spec) continue;
    if (typeof s.value === 'number' && !inRange(spec, s.value)) {
      emit({ range: e.valueRange, severity: 'error', code: 'out-of-range', message: `\`${e.key}\` converts to \`${spec.name}: ${s.value}\`, which must be ${rangeText(spec)}` });
      return;
    }
    values[s.key] = s.value;
    origin.set(s.key, e);
  }
  emit({ range: isKeyAlias ? e.keyRange : e.valueRange, severity: rw.severity, code: 'alias', message: rw.explain, data: { kind: 'rewrite', remove: e.key, set: rw.set, title } });
}
