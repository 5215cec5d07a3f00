// Did-you-mean for unknown keys: the closest known name by Levenshtein distance (case-insensitive), when close.
export function levenshtein(a: string, b: string, cap = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > cap) return cap + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** The best candidate within max(2, a third of the name's length) edits, or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const n = name.toLowerCase().replace(/-/g, '_');
  const cap = Math.max(2, Math.floor(n.length / 3));
  let best: string | undefined;
  let bestD = cap + 1;
  for (const c of candidates) {
    const d = levenshtein(n, c.toLowerCase(), bestD);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}
