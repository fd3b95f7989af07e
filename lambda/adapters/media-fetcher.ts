import { GetWhatsAppMessageMediaCommand, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { type RetryOptions, withRetries } from '../shared/retry';

/** What a fetch returns: as GetWhatsAppMessageMedia reports it. */
export interface FetchedMedia {
  readonly mimeType?: string;
  /** In KB, as the API documents it. */
  readonly fileSizeKb?: number;
  readonly attempts: number;
}

/**
 * Downloads a message's media from Meta into S3 with GetWhatsAppMessageMedia: the service writes
 * `<keyPrefix><mediaId>.<extension>` into the bucket. Retried within a deadline after a transient
 * failure: writing the same object again is harmless (the bucket is versioned; the key is the same).
 */
export class MediaFetcher {
  constructor(private readonly options: RetryOptions & { client: SocialMessagingClient }) {}

  /** @throws CallFailedError — `permanent` at once (expired, denied, invalid), `transient` at the deadline */
  async fetch(
    request: { mediaId: string; originationPhoneNumberId: string; bucket: string; keyPrefix: string },
    deadline: number,
  ): Promise<FetchedMedia> {
    const command = new GetWhatsAppMessageMediaCommand({
      mediaId: request.mediaId,
      originationPhoneNumberId: request.originationPhoneNumberId,
      destinationS3File: { bucketName: request.bucket, key: request.keyPrefix },
    });
    const { value, attempts } = await withRetries(
      (abortSignal) => this.options.client.send(command, { abortSignal }),
      deadline,
      { idempotent: true },
      this.options,
    );
    return { mimeType: value.mimeType, fileSizeKb: value.fileSize, attempts };
  }
}
