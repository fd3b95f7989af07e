import { createHash } from 'node:crypto';

/**
 * Where archived media live in the media bucket, shared by the construct (which scopes the
 * archiver's `s3:PutObject` to {@link MEDIA_KEY_PREFIX}), the archiver and the ops tools.
 */

/** Every archived object's key starts with this. */
export const MEDIA_KEY_PREFIX = 'media/';

/**
 * The key prefix GetWhatsAppMessageMedia gets for a message's media; the service appends the media
 * id and the extension (`…/<digest>/<mediaId>.jpg`). It sorts and partitions by business number and
 * UTC day: `media/<business number>/<yyyy>/<mm>/<dd>/<digest>/`. The digest (of the number and the
 * wamid) keeps two messages apart, and keeps the wamid, which embeds the customer's phone number,
 * out of object keys, access logs and CloudTrail.
 */
export function mediaKeyPrefix(businessPhoneNumberId: string, sentAt: Date, wamid: string): string {
  const number = /^[A-Za-z0-9_-]{1,64}$/.test(businessPhoneNumberId) ? businessPhoneNumberId : 'other';
  const iso = Number.isNaN(sentAt.getTime()) ? '1970-01-01' : sentAt.toISOString().slice(0, 10);
  const [year, month, day] = iso.split('-');
  const digest = createHash('sha256').update(`${businessPhoneNumberId}\n${wamid}`).digest('hex').slice(0, 32);
  return `${MEDIA_KEY_PREFIX}${number}/${year}/${month}/${day}/${digest}/`;
}

/**
 * The MIME types WhatsApp accepts for media (Meta's "supported media types"); a media message with
 * any other is recorded and flagged rather than fetched.
 */
export const SUPPORTED_MEDIA_MIME_TYPES: readonly string[] = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'audio/aac',
  'audio/amr',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  'video/mp4',
  'video/3gpp',
  'text/plain',
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];
