import {
  GetLinkedWhatsAppBusinessAccountCommand,
  PutWhatsAppBusinessAccountEventDestinationsCommand,
  type SocialMessagingClient,
} from '@aws-sdk/client-socialmessaging';
import * as z from 'zod/mini';
import { parseWabaReference } from '../../contracts';
import { classifyCallError, type RetryOptions, withRetries } from '../shared/retry';

/** Attempts that may meet AccessDenied on Create while a new role propagates. */
const ACCESS_DENIED_RETRIES = 6;

import {
  type CustomResourceRequest,
  type CustomResourceResult,
  type HandlerControls,
  reasonOf,
} from './custom-resource';

/** What the linker may do: set its own topic, on the listed WABAs. Requests naming anything else are refused. */
export interface LinkerTrust {
  readonly topicArn: string;
  /** `waba-<id>` or ARNs, as the stack lists them. */
  readonly wabas: readonly string[];
}

/** A request asked for a topic or a WABA the stack did not give the linker. */
export class UntrustedLinkRequestError extends Error {
  public override readonly name = 'UntrustedLinkRequestError';
}

/** An event destination of a WABA. */
export interface EventDestination {
  readonly eventDestinationArn: string;
  readonly roleArn?: string;
}

const propertiesSchema = z.looseObject({
  WabaId: z.string().check(z.minLength(1)),
  TopicArn: z.string().check(z.minLength(1)),
});

const PHYSICAL_ID_PREFIX = 'waba-event-destination';

/**
 * The physical id of a link: the WABA, and the destinations it had before this stack linked it,
 * so that Delete can restore them. CloudFormation returns the physical id with every later request
 * (it does not return a resource's data), and it stays the same while the link exists.
 */
export function physicalIdOf(wabaId: string, previous: readonly EventDestination[]): string {
  return `${PHYSICAL_ID_PREFIX}|${wabaId}|${Buffer.from(JSON.stringify(previous)).toString('base64url')}`;
}

const previousSchema = z.array(
  z.looseObject({ eventDestinationArn: z.string(), roleArn: z.optional(z.string()) }),
);

/** Reads a physical id written by {@link physicalIdOf}; undefined for any other (a failed create's). */
export function parsePhysicalId(
  physicalId: string | undefined,
): { wabaId: string; previous: EventDestination[] } | undefined {
  const [prefix, wabaId, encoded] = physicalId?.split('|') ?? [];
  if (prefix !== PHYSICAL_ID_PREFIX || wabaId === undefined || encoded === undefined) return undefined;
  try {
    const previous = previousSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
    return previous.success ? { wabaId, previous: previous.data } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Points WhatsApp Business Accounts at the inbound topic, and puts back what was there before:
 * - Create reads the WABA's current destinations, keeps them in the physical id and sets the topic;
 * - Update of the topic sets the new topic and keeps what was there before the stack;
 *   Update to another WABA links that one (a new physical id: CloudFormation then deletes the old
 *   link, which restores the old WABA);
 * - Delete restores the destinations from before the stack (none: it removes ours), unless someone
 *   has pointed the WABA elsewhere since, which it leaves alone.
 * Throttling and server errors are retried until the deadline; other errors fail the request.
 */
export class WabaLinker {
  private retryAccessDenied = false;
  private controls?: HandlerControls;

  constructor(
    private readonly client: SocialMessagingClient,
    private readonly trust: LinkerTrust,
    private readonly retry: RetryOptions = {},
  ) {}

  /** @throws UntrustedLinkRequestError naming what the stack did not allow */
  private checkTrusted(wabaId: string, topicArn: string | undefined): void {
    if (!this.trust.wabas.some((allowed) => sameWaba(allowed, wabaId))) {
      throw new UntrustedLinkRequestError(`WABA ${wabaId} is not one this stack links (linkedWabas)`);
    }
    if (topicArn !== undefined && topicArn !== this.trust.topicArn) {
      throw new UntrustedLinkRequestError(
        `The request names topic ${topicArn}; this linker sets only its stack's topic ${this.trust.topicArn}`,
      );
    }
  }

  async handle(
    request: CustomResourceRequest,
    deadline: number,
    controls?: HandlerControls,
  ): Promise<CustomResourceResult> {
    this.controls = controls;
    if (request.RequestType === 'Delete') return this.unlink(request, deadline);
    // On a first deploy the function's role may not have propagated yet: AccessDenied then is
    // transient, briefly. On later requests it is a real permission problem.
    this.retryAccessDenied = request.RequestType === 'Create';
    const props = propertiesSchema.safeParse(request.ResourceProperties);
    if (!props.success) throw new Error('The resource needs WabaId and TopicArn properties');
    const { WabaId: wabaId, TopicArn: topicArn } = props.data;
    this.checkTrusted(wabaId, topicArn);

    const existing =
      request.RequestType === 'Update' ? parsePhysicalId(request.PhysicalResourceId) : undefined;
    if (existing !== undefined && sameWaba(existing.wabaId, wabaId)) {
      // The same WABA, perhaps written the other way (id or ARN): keep the physical id, so
      // CloudFormation sends no cleanup Delete that would restore the old destination over ours.
      await this.setDestinations(wabaId, [{ eventDestinationArn: topicArn }], deadline);
      return {
        ...this.result(wabaId, existing.previous),
        physicalResourceId: request.PhysicalResourceId ?? '',
      };
    }
    const current = await this.destinations(wabaId, deadline);
    // Already ours (a retried create): there is nothing of someone else's to restore later.
    const previous = current.every((d) => d.eventDestinationArn === topicArn) ? [] : current;
    await this.setDestinations(wabaId, [{ eventDestinationArn: topicArn }], deadline);
    return this.result(wabaId, previous);
  }

  private async unlink(request: CustomResourceRequest, deadline: number): Promise<CustomResourceResult> {
    this.retryAccessDenied = false;
    const link = parsePhysicalId(request.PhysicalResourceId);
    const physicalResourceId = request.PhysicalResourceId ?? request.LogicalResourceId;
    const props = propertiesSchema.safeParse(request.ResourceProperties).data;
    if (link === undefined) {
      // A create that failed: its Put may still have landed. Only a WABA that points at this
      // stack's topic is touched, and it is left with no destination rather than a dead topic.
      if (props === undefined) return { physicalResourceId };
      try {
        const current = await this.destinations(props.WabaId, deadline);
        if (!current.some((d) => d.eventDestinationArn === props.TopicArn)) return { physicalResourceId };
        await this.setDestinations(props.WabaId, [], deadline);
        return {
          physicalResourceId,
          data: { Restored: 'false', Reason: 'Removed the link of a failed create' },
        };
      } catch (error) {
        // Best effort: a WABA that cannot be read (gone, no access) must not block the stack's delete.
        return { physicalResourceId, data: { Restored: 'false', Reason: `Not checked: ${reasonOf(error)}` } };
      }
    }
    const topicArn = props?.TopicArn;
    this.checkTrusted(link.wabaId, topicArn);
    let current: EventDestination[];
    try {
      current = await this.destinations(link.wabaId, deadline);
    } catch (error) {
      // A WABA that no longer exists has nothing to restore: the stack's delete goes on.
      if (!isGone(error)) throw error;
      return {
        physicalResourceId,
        data: { Restored: 'false', Reason: `The WABA is gone: ${reasonOf(error)}` },
      };
    }
    if (topicArn !== undefined && !current.some((d) => d.eventDestinationArn === topicArn)) {
      return {
        physicalResourceId,
        data: { Restored: 'false', Reason: 'The WABA no longer points at this stack' },
      };
    }
    await this.setDestinations(link.wabaId, link.previous, deadline);
    return { physicalResourceId, data: { Restored: 'true' } };
  }

  private result(wabaId: string, previous: readonly EventDestination[]): CustomResourceResult {
    return {
      physicalResourceId: physicalIdOf(wabaId, previous),
      data: { WabaId: wabaId, PreviousEventDestinations: JSON.stringify(previous) },
    };
  }

  private async destinations(wabaId: string, deadline: number): Promise<EventDestination[]> {
    const { value } = await this.call(
      (abortSignal) =>
        this.client.send(new GetLinkedWhatsAppBusinessAccountCommand({ id: wabaId }), { abortSignal }),
      deadline,
    );
    return (value.account?.eventDestinations ?? []).flatMap((d) =>
      d.eventDestinationArn === undefined
        ? []
        : [{ eventDestinationArn: d.eventDestinationArn, roleArn: d.roleArn }],
    );
  }

  private async setDestinations(wabaId: string, destinations: readonly EventDestination[], deadline: number) {
    await this.call(
      (abortSignal) =>
        this.client.send(
          new PutWhatsAppBusinessAccountEventDestinationsCommand({
            id: wabaId,
            eventDestinations: [...destinations],
          }),
          { abortSignal },
        ),
      deadline,
    );
  }

  /**
   * Retries transient errors within the deadline. Both calls are idempotent (a read, and a Put of
   * the same destinations), so an ambiguous failure is retried too. A final failure's message
   * carries the API's own error name and message, which CloudFormation shows.
   */
  private async call<T>(attempt: (signal: AbortSignal) => Promise<T>, deadline: number) {
    const retryAccessDenied = this.retryAccessDenied;
    return withRetries(
      attempt,
      deadline,
      { idempotent: true },
      {
        ...this.retry,
        signal: this.controls?.signal,
        onFailure: this.controls?.noteFailure,
        classify: (error, attempts) =>
          retryAccessDenied &&
          error instanceof Error &&
          error.name === 'AccessDeniedException' &&
          attempts <= ACCESS_DENIED_RETRIES
            ? { kind: 'transient', ambiguous: false }
            : classifyCallError(error),
      },
    );
  }
}

/** Whether a call failed because the WABA does not exist (any more). */
function isGone(error: unknown): boolean {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error && cause.name === 'ResourceNotFoundException';
}

/** Whether two ways of writing a WABA (`waba-<id>` or its ARN) name the same one. */
export function sameWaba(a: string, b: string): boolean {
  return (parseWabaReference(a)?.id ?? a) === (parseWabaReference(b)?.id ?? b);
}
