// Settings per document, read from the client with workspace/configuration (section `simpo`) and cached until the
// client says they changed. Clients without that capability (and the tests' plain clients) get the defaults.
export interface ServerSettings {
  configGlobs: string[];
  /** validate at all (simpo.validation.enabled) */
  enabled: boolean;
  /** simpo.validation.paperRecommendations (simpo.validation.pitfalls is accepted as its older name) */
  paperRecommendations: boolean;
  /** simpo.validation.noEffectKeys */
  noEffectKeys: boolean;
}

export const DEFAULT_GLOBS = ['**/*.simpo.yaml', '**/*.simpo.yml', '**/training_configs/**/*.yaml', '**/training_configs/**/*.yml'];

export const DEFAULT_SETTINGS: ServerSettings = { configGlobs: DEFAULT_GLOBS, enabled: true, paperRecommendations: true, noEffectKeys: true };

const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);

/** The `simpo` section as the client sends it -> settings (unknown shapes fall back to the defaults). */
export function toSettings(section: unknown, fallbackGlobs: string[] = DEFAULT_GLOBS): ServerSettings {
  const s = (section && typeof section === 'object' ? section : {}) as Record<string, unknown>;
  const v = (s.validation && typeof s.validation === 'object' ? s.validation : {}) as Record<string, unknown>;
  // flat dotted keys too ("validation.paperRecommendations"), as some clients send them
  const flat = (k: string) => s[`validation.${k}`];
  const globs = Array.isArray(s.configGlobs) && s.configGlobs.every((g) => typeof g === 'string') ? s.configGlobs as string[] : fallbackGlobs;
  return {
    configGlobs: globs,
    enabled: bool(v.enabled ?? flat('enabled'), true),
    paperRecommendations: bool(v.paperRecommendations ?? flat('paperRecommendations') ?? v.pitfalls ?? flat('pitfalls'), true),
    noEffectKeys: bool(v.noEffectKeys ?? flat('noEffectKeys'), true),
  };
}
