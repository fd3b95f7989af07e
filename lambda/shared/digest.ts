import { createHash } from 'node:crypto';

/**
 * The SHA-256 of `text`, its first 128 bits written as a UUID (8-4-4-4-12 hex digits): an id that
 * is stable for the same input and reveals nothing of it, in the shape ids usually have.
 */
export function uuidShapedDigest(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join(
    '-',
  );
}
