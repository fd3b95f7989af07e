import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MessageItem } from '../lambda/adapters/items';

/** How long a presigned GET URL of an archived object works. */
export const PRESIGN_SECONDS = 15 * 60;

/** An archived media object of a message. */
export interface ArchivedObject {
  readonly wamid: string;
  readonly bucket: string;
  readonly key: string;
  readonly mimeType?: string;
  readonly fileSizeKb?: number;
  /** A GET URL valid for {@link PRESIGN_SECONDS}, when asked for. */
  readonly url?: string;
}

/**
 * The archived objects of some messages: the service names the object after the media id under
 * the prefix the message records, so each is found by listing that prefix (a prefix per message).
 */
export async function archivedObjects(
  s3: S3Client,
  messages: readonly MessageItem[],
  options: { presign: boolean },
): Promise<ArchivedObject[]> {
  const found: ArchivedObject[] = [];
  for (const message of messages) {
    const archive = message.mediaArchive;
    if (archive?.state !== 'archived') continue;
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: archive.bucket, Prefix: archive.keyPrefix, MaxKeys: 10 }),
    );
    for (const object of Contents) {
      if (object.Key === undefined) continue;
      const url = options.presign
        ? await getSignedUrl(s3, new GetObjectCommand({ Bucket: archive.bucket, Key: object.Key }), {
            expiresIn: PRESIGN_SECONDS,
          })
        : undefined;
      found.push({
        wamid: message.wamid,
        bucket: archive.bucket,
        key: object.Key,
        mimeType: archive.mimeType,
        fileSizeKb: archive.fileSizeKb,
        url,
      });
    }
  }
  return found;
}

/** One archived object per line (and its URL on the next). */
export function renderArchivedObjects(objects: readonly ArchivedObject[]): string {
  if (objects.length === 0) return 'No archived media.';
  return objects
    .flatMap((o) => [
      `s3://${o.bucket}/${o.key}  ${o.mimeType ?? 'unknown type'}${o.fileSizeKb === undefined ? '' : `  ${o.fileSizeKb} KB`}`,
      ...(o.url === undefined ? [] : [`  ${o.url}`]),
    ])
    .join('\n');
}
