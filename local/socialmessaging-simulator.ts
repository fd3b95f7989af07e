import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EventBridgeApi } from './eventbridge-api';
import { SqsApi } from './sqs-api';

/**
 * A local AWS End User Messaging Social (SocialMessaging) API for tests, the local pipeline and
 * the benchmarks. The real `@aws-sdk/client-socialmessaging` reaches it through
 * `AWS_ENDPOINT_URL_SOCIALMESSAGING`. It follows the service's Smithy model where it matters: the
 * restJson1 routes, required members and their limits, base64 message blobs, the `{messageId}`
 * answer, and errors as `x-amzn-errortype` with the documented HTTP status. It also checks the
 * WhatsApp payloads this pipeline sends (read receipts and reactions), as Meta would.
 */

/** An error the API answers with. */
export interface ApiFault {
  /** `ThrottledRequestException`, `InternalServiceException`, `InvalidParametersException`, … */
  readonly type: string;
  readonly status: number;
  readonly message?: string;
}

/** The documented errors of SendWhatsAppMessage and their HTTP statuses. */
export const FAULTS = {
  throttled: { type: 'ThrottledRequestException', status: 429, message: 'Rate exceeded' },
  internal: { type: 'InternalServiceException', status: 500, message: 'Internal service error' },
  dependency: { type: 'DependencyException', status: 502, message: 'Meta did not answer' },
  invalidParameters: { type: 'InvalidParametersException', status: 400, message: 'Invalid parameters' },
  accessDenied: { type: 'AccessDeniedException', status: 403, message: 'Not authorized' },
  notFound: { type: 'ResourceNotFoundException', status: 404, message: 'Phone number not found' },
} as const satisfies Record<string, ApiFault>;

/**
 * The pseudonym secret of local runs. Secrets Manager is reached through the same simulator
 * (`AWS_ENDPOINT_URL_SECRETS_MANAGER`); its value is a fixed, public test key that never protects
 * real data.
 */
export const LOCAL_PSEUDONYM_SECRET = {
  name: 'whatsapp-pipeline-pseudonym-key-local',
  arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:whatsapp-pipeline-pseudonym-key-local-AbCdEf',
  value: 'local-pseudonym-key-not-secret-0123456789abcdefghij',
} as const;

/** The operations the simulator implements, by HTTP route (from the service's Smithy model). */
const OPERATIONS: Record<string, string> = {
  'POST /v1/whatsapp/send': 'SendWhatsAppMessage',
  'GET /v1/whatsapp/waba/details': 'GetLinkedWhatsAppBusinessAccount',
  'PUT /v1/whatsapp/waba/eventdestinations': 'PutWhatsAppBusinessAccountEventDestinations',
  'POST /v1/whatsapp/media/get': 'GetWhatsAppMessageMedia',
};

/** A media file Meta holds for a message, as the simulator keeps it. */
export interface SimulatedMedia {
  readonly mimeType: string;
  /** Bytes. */
  readonly size: number;
}

/** An object GetWhatsAppMessageMedia wrote into S3 (the local stand-in records the write). */
export interface SimulatedS3Write {
  readonly bucket: string;
  readonly key: string;
  readonly mimeType: string;
  readonly size: number;
}

/** The extension the service appends to the key prefix, by MIME type. */
const MEDIA_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/aac': 'aac',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};
/** WhatsApp's size limits by media type (stickers: animated ones, the larger). */
function mediaSizeLimit(mimeType: string): number {
  const mb = 1024 * 1024;
  if (mimeType === 'image/webp') return 500 * 1024;
  if (mimeType.startsWith('image/')) return 5 * mb;
  if (mimeType.startsWith('audio/') || mimeType.startsWith('video/')) return 16 * mb;
  return 100 * mb;
}
const MEDIA_ID_PATTERN = /^[A-Za-z0-9]{1,100}$/;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** How the simulator answers one request. */
type Outcome =
  | { readonly request: Partial<SimulatorRequest>; readonly fault: ApiFault }
  | { readonly request: Partial<SimulatorRequest>; readonly body: unknown; readonly messageId?: string };

/** One request the simulator answered. */
export interface SimulatorRequest {
  readonly operation:
    | 'SendWhatsAppMessage'
    | 'GetLinkedWhatsAppBusinessAccount'
    | 'PutWhatsAppBusinessAccountEventDestinations'
    | string;
  /** The WABA id of a WABA operation. */
  readonly wabaId?: string;
  /** The destinations of a PutWhatsAppBusinessAccountEventDestinations. */
  readonly eventDestinations?: unknown;
  readonly originationPhoneNumberId?: string;
  readonly metaApiVersion?: string;
  /** The media id of a GetWhatsAppMessageMedia, and where it was written (`bucket/key prefix`). */
  readonly mediaId?: string;
  readonly destination?: string;
  /** The decoded WhatsApp message. */
  readonly message?: unknown;
  /** The answer: a message id (empty for operations other than sends), or the error. */
  readonly outcome: { readonly messageId: string } | { readonly fault: ApiFault };
  /** Epoch ms when the request arrived and when it was answered. */
  readonly receivedAt: number;
  readonly answeredAt: number;
}

/** A WhatsApp Business Account linked to End User Messaging Social, as the simulator keeps it. */
export interface SimulatedWaba {
  /** `waba-<id>`. */
  readonly id: string;
  readonly arn: string;
  /** Meta's WABA id. */
  readonly wabaId: string;
  eventDestinations: { eventDestinationArn: string; roleArn?: string }[];
}

/** Decides the answer to a request before validation: a fault, or nothing to proceed. */
export type FaultRule = (request: { operation: string; message?: unknown }) => ApiFault | undefined;

/** Options of {@link SocialMessagingSimulator.start}. */
export interface SimulatorOptions {
  /** Port to listen on. @default 0 - any free port */
  readonly port?: number;
  /** Latency added to every answer. @default 0 */
  readonly latencyMs?: number;
  /**
   * Phone-number ids (`phone-number-id-<id>`) that exist; others get ResourceNotFoundException.
   * @default - every id exists
   */
  readonly phoneNumberIds?: readonly string[];
}

const MAX_MESSAGE_BYTES = 2_048_000;
const WABA_ID_PATTERN = /(^waba-.*$)|(^arn:.*:waba\/[0-9a-zA-Z]+$)/;
const ORIGINATION_PATTERN = /(^phone-number-id-.*$)|(^arn:.*:phone-number-id\/[0-9a-zA-Z]+$)/;

/** A running simulator. */
export class SocialMessagingSimulator {
  /** Every request answered, in order. */
  public readonly requests: SimulatorRequest[] = [];
  /** Linked WhatsApp Business Accounts, by `waba-<id>`. */
  public readonly wabas = new Map<string, SimulatedWaba>();
  /** Latency added to every answer, in ms; change it at any time. */
  public latencyMs: number;
  /** GetSecretValue calls answered (one per function cold start). */
  public secretReads = 0;
  /** SNS notifications published (through `AWS_ENDPOINT_URL_SNS`), in order. */
  public readonly notifications: {
    topicArn: string;
    subject?: string;
    message: string;
    messageId: string;
  }[] = [];
  /** EventBridge PutEvents (through `AWS_ENDPOINT_URL_EVENTBRIDGE`). */
  public readonly eventBridge = new EventBridgeApi();
  /** SQS (through `AWS_ENDPOINT_URL_SQS`): the undelivered-events queue. */
  public readonly sqs = new SqsApi();
  /** Media Meta holds, by media id; GetWhatsAppMessageMedia of any other id is ResourceNotFoundException (expired). */
  public readonly media = new Map<string, SimulatedMedia>();
  /** Objects GetWhatsAppMessageMedia wrote, in order. */
  public readonly s3Writes: SimulatedS3Write[] = [];
  /** Lambda invocations answered, in order. */
  public readonly invocations: { functionName: string; invocationType: string; event: unknown }[] = [];
  /**
   * What EUM does with each accepted send after answering (docs/send-ledger.md): hands it to Meta,
   * fails the hand-off (`failRate`), or reports nothing (`dropRate`, a send that stalls). Change it
   * at any time; `takeHandoffs` gives the reports due since the last call.
   */
  public handoffs: { failRate: number; dropRate: number } = { failRate: 0, dropRate: 0 };
  private readonly pendingHandoffs: { awsMessageId: string; outcome: 'succeeded' | 'failed' }[] = [];
  private readonly functions = new Map<string, (event: unknown) => Promise<unknown>>();
  private readonly rules: FaultRule[] = [];
  private readonly knownNumbers?: ReadonlySet<string>;

  private constructor(
    private readonly server: Server,
    options: SimulatorOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.knownNumbers = options.phoneNumberIds ? new Set(options.phoneNumberIds) : undefined;
  }

  /** Starts a simulator on 127.0.0.1. */
  static async start(options: SimulatorOptions = {}): Promise<SocialMessagingSimulator> {
    let simulator: SocialMessagingSimulator | undefined;
    const server = createServer((req, res) => {
      simulator?.handle(req, res).catch((error: unknown) => {
        answerError(res, { type: 'InternalServiceException', status: 500, message: String(error) });
      });
    });
    simulator = new SocialMessagingSimulator(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return simulator;
  }

  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_SOCIALMESSAGING`. */
  get endpoint(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('The simulator is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Messages that were accepted, with their ids, in order. */
  get sent(): Array<SimulatorRequest & { outcome: { messageId: string } }> {
    return this.requests.filter(
      (r): r is SimulatorRequest & { outcome: { messageId: string } } =>
        r.operation === 'SendWhatsAppMessage' && 'messageId' in r.outcome,
    );
  }

  /** Answers the next `count` requests with `fault`. */
  failNext(count: number, fault: ApiFault): void {
    let left = count;
    this.rules.push(() => (left-- > 0 ? fault : undefined));
  }

  /** Answers requests matching `rule` with the fault it returns, until {@link reset}. */
  failWhen(rule: FaultRule): void {
    this.rules.push(rule);
  }

  /** Answers a share of requests (0 to 1) with `fault`, at random. */
  failRandomly(rate: number, fault: ApiFault, random: () => number = Math.random): void {
    this.rules.push(() => (random() < rate ? fault : undefined));
  }

  /** Links a WABA, optionally with an event destination already set (as the console would). */
  addWaba(id: string, eventDestinations: SimulatedWaba['eventDestinations'] = []): SimulatedWaba {
    const waba: SimulatedWaba = {
      id,
      arn: `arn:aws:social-messaging:us-east-1:123456789012:waba/${id.replace(/^waba-/, '')}`,
      wabaId: String(1_000_000_000_000_000 + this.wabas.size),
      eventDestinations,
    };
    this.wabas.set(id, waba);
    return waba;
  }

  /** Lets `Invoke` (through `AWS_ENDPOINT_URL_LAMBDA`) run `handler` as the function `name`. */
  registerFunction(name: string, handler: (event: unknown) => Promise<unknown>): void {
    this.functions.set(name, handler);
  }

  /** Forgets faults, latency, recorded requests and WABAs. */
  /** The hand-off reports of the sends accepted since the last call, in order: each once. */
  takeHandoffs(): { awsMessageId: string; outcome: 'succeeded' | 'failed' }[] {
    return this.pendingHandoffs.splice(0, this.pendingHandoffs.length);
  }

  reset(): void {
    this.rules.length = 0;
    this.requests.length = 0;
    this.notifications.length = 0;
    this.wabas.clear();
    this.latencyMs = 0;
    this.handoffs = { failRate: 0, dropRate: 0 };
    this.pendingHandoffs.length = 0;
    this.eventBridge.reset();
    this.sqs.reset();
    this.invocations.length = 0;
    this.media.clear();
    this.s3Writes.length = 0;
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const body = await readBody(req);
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && (target.startsWith('AWSEvents.') || target.startsWith('AmazonSQS.'))) {
      const answer = target.startsWith('AWSEvents.')
        ? this.eventBridge.handle(target, body)
        : this.sqs.handle(target, body);
      res.writeHead(answer.status, {
        'content-type': target.startsWith('AWSEvents.')
          ? 'application/x-amz-json-1.1'
          : 'application/x-amz-json-1.0',
      });
      res.end(JSON.stringify(answer.body));
      return;
    }
    if (typeof target === 'string' && target.startsWith('secretsmanager.')) {
      this.answerSecretsManager(target, body, res);
      return;
    }
    if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      this.answerSns(body, res);
      return;
    }
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const listing =
      req.method === 'GET'
        ? /^\/([a-z0-9][a-z0-9.-]+[a-z0-9])\/?\?(.*list-type=2.*)$/.exec(req.url ?? '')
        : null;
    if (listing !== null) {
      this.listObjects(listing[1] ?? '', new URLSearchParams(listing[2] ?? ''), res);
      return;
    }
    const invocation = /^POST \/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(route);
    if (invocation !== null) {
      await this.invoke(
        decodeURIComponent(invocation[1] ?? ''),
        req.headers['x-amz-invocation-type'],
        body,
        res,
      );
      return;
    }
    const record = (request: Omit<SimulatorRequest, 'receivedAt' | 'answeredAt'>) =>
      this.requests.push({ ...request, receivedAt, answeredAt: Date.now() });

    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const url = new URL(req.url ?? '/', 'http://simulator');
    const operation = OPERATIONS[route];
    if (operation === undefined) {
      const fault = { type: 'UnknownOperationException', status: 404, message: `No operation at ${route}` };
      record({ operation: route, outcome: { fault } });
      answerError(res, fault);
      return;
    }
    const input =
      operation === 'GetLinkedWhatsAppBusinessAccount'
        ? { id: url.searchParams.get('id') ?? undefined }
        : parseObject(body);
    const outcome =
      operation === 'SendWhatsAppMessage'
        ? this.send(input)
        : operation === 'GetLinkedWhatsAppBusinessAccount'
          ? this.getLinkedAccount(input)
          : operation === 'GetWhatsAppMessageMedia'
            ? this.getMedia(input)
            : this.putEventDestinations(input);
    record({
      operation,
      ...outcome.request,
      outcome: 'fault' in outcome ? { fault: outcome.fault } : { messageId: outcome.messageId ?? '' },
    });
    if ('fault' in outcome) {
      answerError(res, outcome.fault);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(outcome.body));
  }

  /**
   * The one Secrets Manager call the functions make (awsJson1_1): GetSecretValue of the local
   * pseudonym secret. Kept out of {@link requests}, which lists SocialMessaging calls only.
   */
  private answerSecretsManager(target: string, body: string, res: ServerResponse): void {
    const input = parseObject(body);
    const id = stringOrUndefined(input?.SecretId);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(value));
    };
    if (target !== 'secretsmanager.GetSecretValue') {
      json(400, { __type: 'InvalidRequestException', message: `The simulator does not implement ${target}` });
      return;
    }
    if (id !== LOCAL_PSEUDONYM_SECRET.arn && id !== LOCAL_PSEUDONYM_SECRET.name) {
      json(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
      return;
    }
    this.secretReads++;
    json(200, {
      ARN: LOCAL_PSEUDONYM_SECRET.arn,
      Name: LOCAL_PSEUDONYM_SECRET.name,
      SecretString: LOCAL_PSEUDONYM_SECRET.value,
      VersionId: 'local',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_767_225_600,
    });
  }

  /**
   * SNS Publish (awsQuery: a form body, an XML answer), the one SNS call the functions make: the
   * digest's notifications to the alerts topic. Kept in {@link notifications}, not {@link requests}.
   */
  private answerSns(body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const xml = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(text);
    };
    const topicArn = form.get('TopicArn');
    const message = form.get('Message');
    if (form.get('Action') !== 'Publish' || topicArn === null || message === null) {
      xml(
        400,
        '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>The simulator implements Publish with TopicArn and Message only</Message></Error><RequestId>local</RequestId></ErrorResponse>',
      );
      return;
    }
    const messageId = randomUUID();
    this.notifications.push({ topicArn, subject: form.get('Subject') ?? undefined, message, messageId });
    xml(
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }

  /**
   * S3 ListObjectsV2 (restXml, path-style) over the objects GetWhatsAppMessageMedia wrote: what the
   * inspect tool uses to find an archived object under its prefix.
   */
  private listObjects(bucket: string, query: URLSearchParams, res: ServerResponse): void {
    const prefix = query.get('prefix') ?? '';
    const max = Number(query.get('max-keys') ?? 1000);
    const objects = this.s3Writes
      .filter((w) => w.bucket === bucket && w.key.startsWith(prefix))
      .slice(0, max);
    const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const contents = objects
      .map(
        (o) =>
          `<Contents><Key>${xml(o.key)}</Key><Size>${o.size}</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"local"</ETag><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${objects.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
    );
  }

  /** Lambda Invoke (restJson1): runs a registered function; its error comes back as `X-Amz-Function-Error`. */
  private async invoke(name: string, type: unknown, body: string, res: ServerResponse): Promise<void> {
    const handler = this.functions.get(name);
    if (handler === undefined) {
      answerError(res, {
        type: 'ResourceNotFoundException',
        status: 404,
        message: `Function not found: ${name}`,
      });
      return;
    }
    const invocationType = typeof type === 'string' ? type : 'RequestResponse';
    const event: unknown = body === '' ? {} : JSON.parse(body);
    this.invocations.push({ functionName: name, invocationType, event });
    const run = handler(event);
    if (invocationType === 'Event') {
      run.catch(() => undefined);
      res.writeHead(202);
      res.end();
      return;
    }
    try {
      const result = await run;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result ?? null));
    } catch (error) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(
        JSON.stringify({
          errorType: error instanceof Error ? error.name : 'Error',
          errorMessage: String(error),
        }),
      );
    }
  }

  private firstFault(operation: string, message?: unknown): ApiFault | undefined {
    return this.rules.map((rule) => rule({ operation, message })).find(Boolean);
  }

  private send(input: Record<string, unknown> | undefined): Outcome {
    const message = decodeMessage(input?.message);
    const request = {
      originationPhoneNumberId: stringOrUndefined(input?.originationPhoneNumberId),
      metaApiVersion: stringOrUndefined(input?.metaApiVersion),
      message: message.json,
    };
    const fault =
      this.firstFault('SendWhatsAppMessage', message.json) ??
      validateSend(input, message) ??
      this.checkNumber(request.originationPhoneNumberId);
    if (fault !== undefined) return { request, fault };
    const messageId = randomUUID();
    const draw = Math.random();
    if (draw < this.handoffs.failRate)
      this.pendingHandoffs.push({ awsMessageId: messageId, outcome: 'failed' });
    else if (draw >= this.handoffs.failRate + this.handoffs.dropRate)
      this.pendingHandoffs.push({ awsMessageId: messageId, outcome: 'succeeded' });
    return { request, messageId, body: { messageId } };
  }

  private findWaba(id: string): SimulatedWaba | undefined {
    const key = id.startsWith('arn:') ? `waba-${id.split('waba/')[1] ?? ''}` : id;
    return this.wabas.get(key);
  }

  /**
   * GetWhatsAppMessageMedia: validates as the model does, then "downloads" the media into the given
   * bucket under the key prefix plus the media id and extension (recorded in {@link s3Writes}).
   */
  private getMedia(input: Record<string, unknown> | undefined): Outcome {
    const mediaId = stringOrUndefined(input?.mediaId);
    const originationPhoneNumberId = stringOrUndefined(input?.originationPhoneNumberId);
    const file = input?.destinationS3File;
    const bucket =
      typeof file === 'object' && file !== null
        ? stringOrUndefined(Reflect.get(file, 'bucketName'))
        : undefined;
    const key =
      typeof file === 'object' && file !== null ? stringOrUndefined(Reflect.get(file, 'key')) : undefined;
    const request = {
      originationPhoneNumberId,
      mediaId,
      destination: bucket === undefined ? undefined : `${bucket}/${key ?? ''}`,
    };
    const invalid = (message: string): ApiFault => ({ ...FAULTS.invalidParameters, message });
    const metadataOnly = input?.metadataOnly === true;
    const fault =
      this.firstFault('GetWhatsAppMessageMedia') ??
      (mediaId === undefined || !MEDIA_ID_PATTERN.test(mediaId)
        ? invalid('mediaId must be 1 to 100 letters or digits')
        : originationPhoneNumberId === undefined || !ORIGINATION_PATTERN.test(originationPhoneNumberId)
          ? invalid('originationPhoneNumberId must be phone-number-id-<id> or a phone number ARN')
          : file !== undefined && input?.destinationS3PresignedUrl !== undefined
            ? invalid('Use either destinationS3File or destinationS3PresignedUrl, not both')
            : !metadataOnly && file === undefined && input?.destinationS3PresignedUrl === undefined
              ? invalid('A destination is required unless metadataOnly is set')
              : file !== undefined && (bucket === undefined || !BUCKET_PATTERN.test(bucket))
                ? invalid(
                    'destinationS3File.bucketName must be 3 to 63 lowercase letters, digits, dots or dashes',
                  )
                : file !== undefined && (key === undefined || key.length > 1024)
                  ? invalid('destinationS3File.key must be 0 to 1024 characters')
                  : undefined) ??
      this.checkNumber(originationPhoneNumberId);
    if (fault !== undefined) return { request, fault };
    const media = this.media.get(mediaId ?? '');
    if (media === undefined) {
      return {
        request,
        fault: { ...FAULTS.notFound, message: `Media ${mediaId} not found: it expired or was deleted` },
      };
    }
    const limit = mediaSizeLimit(media.mimeType);
    if (media.size > limit) {
      return {
        request,
        fault: invalid(`Media file size ${media.size} exceeds the ${limit}-byte limit for ${media.mimeType}`),
      };
    }
    if (!metadataOnly && bucket !== undefined) {
      const extension = MEDIA_EXTENSIONS[media.mimeType] ?? 'bin';
      this.s3Writes.push({
        bucket,
        key: `${key ?? ''}${mediaId}.${extension}`,
        mimeType: media.mimeType,
        size: media.size,
      });
    }
    return { request, body: { mimeType: media.mimeType, fileSize: Math.ceil(media.size / 1024) } };
  }

  private getLinkedAccount(input: Record<string, unknown> | undefined): Outcome {
    const id = stringOrUndefined(input?.id);
    const request = { wabaId: id };
    const fault =
      this.firstFault('GetLinkedWhatsAppBusinessAccount') ??
      (id === undefined || id.length > 115 || !WABA_ID_PATTERN.test(id)
        ? {
            type: 'ValidationException',
            status: 400,
            message: 'id must be waba-<id> or a WABA ARN, 1 to 115 characters',
          }
        : undefined);
    if (fault !== undefined) return { request, fault };
    const waba = this.findWaba(id ?? '');
    if (waba === undefined)
      return { request, fault: { ...FAULTS.notFound, message: `WhatsApp Business Account ${id} not found` } };
    return {
      request,
      body: {
        account: {
          arn: waba.arn,
          id: waba.id,
          wabaId: waba.wabaId,
          registrationStatus: 'COMPLETE',
          linkDate: 1_767_225_600,
          wabaName: `Simulated ${waba.id}`,
          eventDestinations: waba.eventDestinations,
          phoneNumbers: [],
        },
      },
    };
  }

  private putEventDestinations(input: Record<string, unknown> | undefined): Outcome {
    const id = stringOrUndefined(input?.id);
    const destinations = input?.eventDestinations;
    const request = { wabaId: id, eventDestinations: destinations };
    const invalid = (message: string): ApiFault => ({ type: 'ValidationException', status: 400, message });
    const fault =
      this.firstFault('PutWhatsAppBusinessAccountEventDestinations') ??
      (id === undefined || id.length > 115 || !WABA_ID_PATTERN.test(id)
        ? invalid('id must be waba-<id> or a WABA ARN, 1 to 115 characters')
        : !Array.isArray(destinations)
          ? invalid('eventDestinations is required')
          : destinations.length > 1
            ? invalid('eventDestinations takes at most one destination')
            : destinations.some(
                  (d) =>
                    typeof d !== 'object' ||
                    d === null ||
                    !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(
                      String(Reflect.get(d, 'eventDestinationArn')),
                    ),
                )
              ? invalid('eventDestinationArn must be the ARN of an SNS topic')
              : undefined);
    if (fault !== undefined) return { request, fault };
    const waba = this.findWaba(id ?? '');
    if (waba === undefined) {
      return {
        request,
        fault: { ...FAULTS.invalidParameters, message: `WhatsApp Business Account ${id} is not linked` },
      };
    }
    waba.eventDestinations = (Array.isArray(destinations) ? destinations : []).map((d) => ({
      eventDestinationArn: String(Reflect.get(d, 'eventDestinationArn')),
      ...(Reflect.get(d, 'roleArn') === undefined ? {} : { roleArn: String(Reflect.get(d, 'roleArn')) }),
    }));
    return { request, body: {} };
  }

  private checkNumber(originationPhoneNumberId: string | undefined): ApiFault | undefined {
    if (this.knownNumbers === undefined || originationPhoneNumberId === undefined) return undefined;
    const id = originationPhoneNumberId.replace(/^arn:.*:phone-number-id\//, 'phone-number-id-');
    return this.knownNumbers.has(id)
      ? undefined
      : { ...FAULTS.notFound, message: `Phone number ${originationPhoneNumberId} not found` };
  }
}

function validateSend(
  input: Record<string, unknown> | undefined,
  message: { bytes?: number; json?: unknown; error?: string },
): ApiFault | undefined {
  const invalid = (text: string): ApiFault => ({ type: 'ValidationException', status: 400, message: text });
  if (input === undefined) return invalid('The request body is not a JSON object');
  const origination = input.originationPhoneNumberId;
  if (typeof origination !== 'string' || origination.length < 1 || origination.length > 115) {
    return invalid('originationPhoneNumberId is required, 1 to 115 characters');
  }
  if (!ORIGINATION_PATTERN.test(origination)) {
    return invalid('originationPhoneNumberId must be phone-number-id-<id> or a phone-number ARN');
  }
  if (typeof input.metaApiVersion !== 'string' || input.metaApiVersion === '') {
    return invalid('metaApiVersion is required');
  }
  if (message.error !== undefined) return invalid(message.error);
  if (message.bytes === undefined || message.bytes < 1 || message.bytes > MAX_MESSAGE_BYTES) {
    return invalid(`message must be 1 to ${MAX_MESSAGE_BYTES} bytes`);
  }
  const problem = whatsAppPayloadProblem(message.json);
  return problem === undefined ? undefined : { ...FAULTS.invalidParameters, message: problem };
}

/** What Meta would reject in a payload this pipeline sends; other payload types are accepted as they are. */
export function whatsAppPayloadProblem(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return 'The message is not a JSON object';
  const payload: Record<string, unknown> = { ...json };
  if (payload.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp"';
  if (payload.status === 'read') {
    if (typeof payload.message_id !== 'string' || !payload.message_id.startsWith('wamid.')) {
      return 'A read receipt needs the wamid of the message in message_id';
    }
    return undefined;
  }
  if (payload.type === 'reaction') {
    const reaction: Record<string, unknown> =
      typeof payload.reaction === 'object' && payload.reaction !== null ? { ...payload.reaction } : {};
    const hasTo = typeof payload.to === 'string' && /^\d{6,15}$/.test(payload.to);
    const hasRecipient =
      typeof payload.recipient === 'string' && /^[A-Z]{2}\.[A-Za-z0-9.]+$/.test(payload.recipient);
    if (hasTo === hasRecipient)
      return 'A reaction needs exactly one of "to" (digits) or "recipient" (a user id)';
    if (typeof reaction.message_id !== 'string' || !reaction.message_id.startsWith('wamid.')) {
      return 'A reaction needs the wamid it reacts to in reaction.message_id';
    }
    if (typeof reaction.emoji !== 'string') return 'A reaction needs reaction.emoji';
    return undefined;
  }
  if (typeof payload.type !== 'string') return 'The message needs a type';
  return undefined;
}

function decodeMessage(value: unknown): { bytes?: number; json?: unknown; error?: string } {
  if (typeof value !== 'string' || value === '') return { error: 'message is required' };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return { error: 'message must be base64' };
  const bytes = Buffer.from(value, 'base64');
  try {
    return { bytes: bytes.length, json: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { bytes: bytes.length, error: 'message is not JSON' };
  }
}

function answerError(res: ServerResponse, fault: ApiFault): void {
  if (res.headersSent) return;
  res.writeHead(fault.status, { 'content-type': 'application/json', 'x-amzn-errortype': fault.type });
  res.end(JSON.stringify({ message: fault.message ?? fault.type }));
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : undefined;
  } catch {
    return undefined;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
