/** Decisions about inbound media, kept apart from the archiver that acts on them. */
import { SUPPORTED_MEDIA_MIME_TYPES } from '../../contracts';

/** Whether a MIME type (parameters such as `; codecs=opus` aside) is one WhatsApp supports. */
export function isSupportedMediaMimeType(mimeType: string): boolean {
  return SUPPORTED_MEDIA_MIME_TYPES.includes(mimeType.split(';')[0]?.trim().toLowerCase() ?? '');
}
