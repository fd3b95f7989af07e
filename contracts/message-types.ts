/**
 * The message types the pipeline knows, as data. This list is the single source of truth: the
 * decoder registry (lambda/domain/message-types.ts) must have one entry per type, which the compiler
 * enforces; metric dimensions, policy defaults and config validation read it directly.
 */

/** What the pipeline sends for a type of inbound message. */
export type ResponseAction = 'receipt-and-reaction' | 'receipt' | 'none';

/** Every response action, for validation. */
export const RESPONSE_ACTIONS: readonly ResponseAction[] = ['receipt-and-reaction', 'receipt', 'none'];

/** The media types: their payload names a media id that GetWhatsAppMessageMedia can fetch. */
export const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;

/** One of the media message types. */
export type MediaType = (typeof MEDIA_TYPES)[number];

/** What the contract says of one type. */
export interface MessageTypeContract {
  /**
   * The default auto-response: a receipt and a reaction for what a customer writes or sends,
   * nothing for reactions (never react to a reaction) and system notices, a receipt alone for
   * anything the pipeline cannot read.
   */
  readonly defaultAction: ResponseAction;
  /**
   * Never answered, by the auto-response or by a hook, whatever the configuration: a person does not
   * expect an answer to their editing or deleting a message, nor to Meta's notice that they changed
   * their number. Hooks still see the message; they get no `send`.
   */
  readonly silent?: true;
}

const answer = { defaultAction: 'receipt-and-reaction' } as const;

/** Every known `messages[].type`, with its contract. */
export const MESSAGE_TYPES = {
  text: answer,
  image: answer,
  audio: answer,
  video: answer,
  document: answer,
  sticker: answer,
  location: answer,
  contacts: answer,
  interactive: answer,
  button: answer,
  order: answer,
  reaction: { defaultAction: 'none' },
  /** Meta's notice that the customer changed their number or user id: nothing they wrote. */
  system: { defaultAction: 'none', silent: true },
  /** The customer edited an earlier message (Meta's edit messages webhook reference, coexistence). */
  edit: { defaultAction: 'none', silent: true },
  /** The customer deleted an earlier message (Meta's revoke messages webhook reference, coexistence). */
  revoke: { defaultAction: 'none', silent: true },
  request_welcome: { defaultAction: 'receipt' },
  unsupported: { defaultAction: 'receipt' },
  unknown: { defaultAction: 'receipt' },
} as const satisfies Readonly<Record<string, MessageTypeContract>>;

/** One of the message types the pipeline knows. */
export type KnownMessageType = keyof typeof MESSAGE_TYPES;

/** The known message types, in the order above. */
export const KNOWN_MESSAGE_TYPES = Object.keys(MESSAGE_TYPES) as readonly KnownMessageType[];

/** The action for types the contract does not know (future types). */
export const DEFAULT_ACTION_FOR_UNKNOWN_TYPES: ResponseAction = 'receipt';

/** Whether messages of a type are never answered (see {@link MessageTypeContract.silent}). */
export function isSilentType(type: string): boolean {
  const contract: MessageTypeContract | undefined = Object.hasOwn(MESSAGE_TYPES, type)
    ? MESSAGE_TYPES[type as KnownMessageType]
    : undefined;
  return contract?.silent === true;
}

/** The default action of every known type. */
export function defaultActions(): Record<KnownMessageType, ResponseAction> {
  const actions = {} as Record<KnownMessageType, ResponseAction>;
  for (const type of KNOWN_MESSAGE_TYPES) actions[type] = MESSAGE_TYPES[type].defaultAction;
  return actions;
}
