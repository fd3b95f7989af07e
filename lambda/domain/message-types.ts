/**
 * The message-type registry: for every type the contract knows (contracts/message-types.ts), how its
 * payload decodes into content. The mapped type makes the compiler name this file when a type is
 * added to the contract. Decoding, metric dimensions and rendering all look types up here, and a
 * fork can pass an extended registry to add a type without editing the core.
 */
import {
  type KnownMessageType,
  MESSAGE_TYPES,
  type MediaType,
  OTHER_DIMENSION_VALUE,
  type ResponseAction,
} from '../../contracts';
import { parseJsonObject } from './json';
import type { MessageContent } from './model';
import {
  buttonPayloadSchema,
  contactsPayloadSchema,
  editPayloadSchema,
  interactivePayloadSchema,
  locationPayloadSchema,
  mediaPayloadSchema,
  orderPayloadSchema,
  reactionPayloadSchema,
  revokePayloadSchema,
  systemPayloadSchema,
  textPayloadSchema,
  unsupportedPayloadSchema,
} from './schemas';

/** What the registry knows of one message type. */
export interface MessageTypeSpec {
  /** The auto-response when the configuration names none for this type. */
  readonly defaultAction: ResponseAction;
  /**
   * Decodes the type's payload (`messages[i][type]`) into content; `undefined` when the payload does
   * not match, and the message is then kept with `other` content and its raw payload.
   */
  readonly decode: (payload: unknown) => MessageContent | undefined;
}

/** Message types by their wire name. */
export type MessageTypeRegistry = Readonly<Record<string, MessageTypeSpec>>;

function media(mediaType: MediaType): MessageTypeSpec {
  return {
    defaultAction: MESSAGE_TYPES[mediaType].defaultAction,
    decode: (payload) => {
      const parsed = mediaPayloadSchema.safeParse(payload);
      if (!parsed.success) return undefined;
      const { id, mime_type, sha256, caption, filename, voice, animated } = parsed.data;
      return {
        kind: 'media',
        mediaType,
        mediaId: id,
        mimeType: mime_type,
        sha256,
        caption,
        filename,
        voice,
        animated,
      };
    },
  };
}

function spec(type: KnownMessageType, decode: MessageTypeSpec['decode']): MessageTypeSpec {
  return { defaultAction: MESSAGE_TYPES[type].defaultAction, decode };
}

const unsupported = (payload: unknown): MessageContent => {
  const parsed = unsupportedPayloadSchema.safeParse(payload);
  return { kind: 'unsupported', unsupportedType: parsed.success ? parsed.data.type : undefined };
};

/** The built-in registry: one entry per known type, no more and no fewer. */
export const MESSAGE_TYPE_REGISTRY: { readonly [T in KnownMessageType]: MessageTypeSpec } = {
  text: spec('text', (payload) => {
    const parsed = textPayloadSchema.safeParse(payload);
    return parsed.success ? { kind: 'text', body: parsed.data.body } : undefined;
  }),
  image: media('image'),
  audio: media('audio'),
  video: media('video'),
  document: media('document'),
  sticker: media('sticker'),
  location: spec('location', (payload) => {
    const parsed = locationPayloadSchema.safeParse(payload);
    return parsed.success ? { kind: 'location', ...parsed.data } : undefined;
  }),
  contacts: spec('contacts', (payload) => {
    const parsed = contactsPayloadSchema.safeParse(payload);
    return parsed.success ? { kind: 'contacts', count: parsed.data.length } : undefined;
  }),
  interactive: spec('interactive', (payload) => {
    const parsed = interactivePayloadSchema.safeParse(payload);
    if (!parsed.success) return undefined;
    const { type: replyType, button_reply, list_reply, nfm_reply } = parsed.data;
    const reply = button_reply ?? list_reply;
    const text = nfm_reply?.response_json;
    const response = text === undefined ? undefined : parseJsonObject(text);
    const token = response?.flow_token;
    return {
      kind: 'interactive',
      replyType,
      replyId: reply?.id,
      title: reply?.title,
      description: list_reply?.description,
      flowName: nfm_reply?.name,
      flowToken: typeof token === 'string' && token !== '' ? token : undefined,
      response,
      // Kept as received only when it cannot be kept as data: nothing is lost.
      responseJson: response === undefined ? text : undefined,
    };
  }),
  button: spec('button', (payload) => {
    const parsed = buttonPayloadSchema.safeParse(payload);
    return parsed.success ? { kind: 'button', ...parsed.data } : undefined;
  }),
  order: spec('order', (payload) => {
    const parsed = orderPayloadSchema.safeParse(payload);
    return parsed.success
      ? {
          kind: 'order',
          catalogId: parsed.data.catalog_id,
          itemCount: parsed.data.product_items?.length ?? 0,
          text: parsed.data.text,
        }
      : undefined;
  }),
  reaction: spec('reaction', (payload) => {
    const parsed = reactionPayloadSchema.safeParse(payload);
    return parsed.success
      ? { kind: 'reaction', targetWamid: parsed.data.message_id, emoji: parsed.data.emoji || undefined }
      : undefined;
  }),
  system: spec('system', (payload) => {
    const parsed = systemPayloadSchema.safeParse(payload);
    return parsed.success
      ? {
          kind: 'system',
          systemType: parsed.data.type,
          body: parsed.data.body,
          newPhone: parsed.data.wa_id ?? parsed.data.new_wa_id,
          newUserId: parsed.data.user_id,
          previousUserId: parsed.data.previous_user_id,
          parentUserId: parsed.data.parent_user_id,
        }
      : undefined;
  }),
  edit: spec('edit', (payload) => {
    const parsed = editPayloadSchema.safeParse(payload);
    if (!parsed.success) return undefined;
    const now = parsed.data.message;
    return {
      kind: 'edit',
      targetWamid: parsed.data.original_message_id,
      editedType: now?.type,
      body: now?.text?.body ?? now?.image?.caption ?? now?.video?.caption ?? now?.document?.caption,
    };
  }),
  revoke: spec('revoke', (payload) => {
    const parsed = revokePayloadSchema.safeParse(payload);
    return parsed.success ? { kind: 'revoke', targetWamid: parsed.data.original_message_id } : undefined;
  }),
  request_welcome: spec('request_welcome', () => ({ kind: 'welcome' })),
  unsupported: spec('unsupported', unsupported),
  unknown: spec('unknown', unsupported),
};

/** Looks a wire type up in a registry (own properties only: `constructor` is not a type). */
export function specOf(registry: MessageTypeRegistry, type: string): MessageTypeSpec | undefined {
  return Object.hasOwn(registry, type) ? registry[type] : undefined;
}

/** Decodes a message's content through the registry; unknown types and mismatched payloads are `other`. */
export function decodeContent(registry: MessageTypeRegistry, type: string, payload: unknown): MessageContent {
  return specOf(registry, type)?.decode(payload) ?? { kind: 'other' };
}

/** The metric dimension of a type: its name when the registry knows it, else `other`. */
export function typeDimension(registry: MessageTypeRegistry, type: string): string {
  return specOf(registry, type) === undefined ? OTHER_DIMENSION_VALUE : type;
}
