// Type, enum and range checks of one key's value against its schema entry.
import type { Finding } from '../findings';
import { didYouMean } from './did-you-mean';
import type { Entry } from '../parse';
import { inRange, rangeText, type KeySpec } from '../schema';

export type Emit = (f: Omit<Finding, 'file'>) => void;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** Checks the value; returns it when usable (the resolved config takes it), else undefined (the default stays). */
export function checkValue(spec: KeySpec, e: Entry, emit: Emit): unknown {
  const v = e.value;
  if (v === undefined) return undefined; // already reported (alias bomb)
  const at = e.valueRange;
  const wrong = (expected: string) => {
    emit({ range: at, severity: 'error', code: 'wrong-type', message: `\`${spec.name}\` must be ${expected}${spec.nullable ? ' (or null)' : ''}, not ${show(v)}` });
    return undefined;
  };
  if (v === null) {
    if (spec.nullable || spec.type === 'any') return null;
    if (spec.required) {
      emit({ range: at, severity: 'error', code: 'required', message: `\`${spec.name}\` needs a value` });
      return undefined;
    }
    emit({ range: e.keyRange, severity: 'information', code: 'empty-value', message: `\`${spec.name}\` is empty: the default ${JSON.stringify(spec.default)} is used` });
    return undefined;
  }
  switch (spec.type) {
    case 'any':
      return v;
    case 'string':
      if (typeof v !== 'string') return wrong('a string');
      if (spec.required && !v.trim()) {
        emit({ range: at, severity: 'error', code: 'required', message: `\`${spec.name}\` needs a value` });
        return undefined;
      }
      return v;
    case 'boolean':
      return typeof v === 'boolean' ? v : wrong('true or false');
    case 'enum':
      if (typeof v !== 'string' || !spec.enum!.includes(v)) {
        const guess = typeof v === 'string' ? didYouMean(v, spec.enum!) : undefined;
        emit({
          range: at, severity: 'error', code: 'bad-enum',
          message: `\`${spec.name}\` must be one of ${spec.enum!.join(', ')}; got ${show(v)}${guess ? `: did you mean ${guess}?` : ''}`,
          data: guess ? { kind: 'value', key: spec.name, value: guess, title: `Change to ${guess}` } : undefined,
        });
        return undefined;
      }
      return v;
    case 'string-list':
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return wrong('a list of strings');
      return v;
    case 'number-map': {
      if (typeof v !== 'object' || Array.isArray(v)) return wrong('a mapping of names to fractions');
      let ok = true;
      for (const mk of e.mapKeys ?? []) {
        if (typeof mk.value !== 'number' || !(mk.value > 0 && mk.value <= 1)) {
          emit({ range: mk.range, severity: 'error', code: 'out-of-range', message: `\`${spec.name}\`: the fraction of ${mk.key} must be a number > 0 and ≤ 1, not ${show(mk.value)}` });
          ok = false;
        }
      }
      return ok ? v : undefined;
    }
    case 'number':
    case 'integer': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return wrong(spec.type === 'integer' ? 'an integer' : 'a number');
      if (spec.type === 'integer' && !Number.isInteger(v)) return wrong('an integer');
      if (!inRange(spec, v)) {
        const clamp = clampValue(spec, v);
        emit({
          range: at, severity: 'error', code: 'out-of-range', message: `\`${spec.name}\` must be ${rangeText(spec)}; got ${v}`,
          data: clamp === undefined ? undefined : { kind: 'value', key: spec.name, value: clamp, title: `Clamp ${spec.name} to ${clamp}` },
        });
        return undefined;
      }
      return v;
    }
  }
}

/** The nearest in-range value (for the clamp quick fix). */
export function clampValue(spec: KeySpec, v: number): number | undefined {
  let x = v;
  if (spec.min !== undefined && (spec.minExclusive ? x <= spec.min : x < spec.min)) {
    x = spec.minExclusive ? (spec.type === 'integer' ? spec.min + 1 : (spec.default as number) > spec.min ? spec.default as number : spec.min + 1e-8) : spec.min;
  }
  if (spec.max !== undefined && (spec.maxExclusive ? x >= spec.max : x > spec.max)) {
    x = spec.maxExclusive ? (spec.type === 'integer' ? spec.max - 1 : Math.max(spec.min ?? 0, Number((spec.max * 0.99).toPrecision(6)))) : spec.max;
  }
  return x === v ? undefined : x;
}
