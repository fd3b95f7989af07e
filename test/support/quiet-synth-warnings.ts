/**
 * Synthesis prints the validation report of warnings through console.error. The warnings this
 * stack emits on purpose (no phone numbers configured, imported keys) are asserted with
 * `Annotations` where they matter; printed, they would only bury real failures. Anything else on
 * console.error is still printed.
 */
const original = console.error;
console.error = (...args: unknown[]) => {
  const text = args.map(String).join(' ');
  if (/^WARNING [\s\S]*\(Annotation\)/.test(text) || text.startsWith('Bundling asset ')) return;
  original(...args);
};

// Suites that bundle a variant of the app (e.g. with linked WABAs) would print one line per asset.
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  if (/^Bundling asset [^\n]*\.\.\.\n?$/.test(text)) return true;
  return (write as (chunk: string | Uint8Array, ...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;
