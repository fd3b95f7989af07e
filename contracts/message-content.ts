/**
 * What a message says, by kind: the one definition of message content. The domain type
 * (`MessageContent`), the item codec (lambda/adapters/items/content.ts), the event schema
 * (events/content-schema.ts) and the JSON Schemas in docs/events/ are all derived from this table,
 * so a new kind is added here and nowhere else (its decoder goes into the type registry,
 * lambda/domain/message-types.ts).
 */
import { MEDIA_TYPES } from './message-types';

/** How a field reads, what it holds, and whether it is personal data. */
interface FieldCommon {
  /** May be absent (Meta's `null` and `""` are absent too). */
  readonly optional?: true;
  /** What the field holds, for the JSON Schema. */
  readonly description?: string;
  /** The field holds personal data: why, in a few words (`x-personal-data` in the JSON Schema). */
  readonly personal?: string;
}

/** One field of a content kind. `json` holds a JSON object as data (a Flow's answers). */
export type ContentField =
  | (FieldCommon & { readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'json' })
  | (FieldCommon & { readonly type: 'enum'; readonly values: readonly [string, ...string[]] });

/** The fields of every kind, by kind. */
export type ContentKinds = Readonly<Record<string, Readonly<Record<string, ContentField>>>>;

const customersWords = "The customer's words.";
const location = "The customer's location.";

/** Every content kind and its fields, in the order they are documented. */
export const MESSAGE_CONTENT_KINDS = {
  text: { body: { type: 'string', personal: customersWords } },
  media: {
    mediaType: { type: 'enum', values: MEDIA_TYPES },
    mediaId: { type: 'string', optional: true, description: 'The id GetWhatsAppMessageMedia takes.' },
    mimeType: { type: 'string', optional: true },
    sha256: { type: 'string', optional: true },
    caption: { type: 'string', optional: true, personal: customersWords },
    filename: { type: 'string', optional: true, personal: 'Documents only.' },
    /** Audio only: a push-to-talk voice note rather than an audio file. */
    voice: { type: 'boolean', optional: true },
    /** Stickers only. */
    animated: { type: 'boolean', optional: true },
  },
  location: {
    latitude: { type: 'number', personal: location },
    longitude: { type: 'number', personal: location },
    name: { type: 'string', optional: true },
    address: { type: 'string', optional: true, personal: location },
  },
  contacts: { count: { type: 'integer' } },
  interactive: {
    replyType: { type: 'string' },
    replyId: { type: 'string', optional: true },
    title: { type: 'string', optional: true },
    description: { type: 'string', optional: true },
    /** `flow` for a Flow's answers (`address_message` for an address form). */
    flowName: { type: 'string', optional: true },
    flowToken: {
      type: 'string',
      optional: true,
      description: 'The `flow_token` the business gave the Flow when it sent it: which Flow, for whom.',
    },
    response: { type: 'json', optional: true, personal: "A Flow's answers, as data: the customer's words." },
    responseJson: {
      type: 'string',
      optional: true,
      personal: "A Flow's answers as received, kept only when they are not a JSON object a record can hold.",
    },
  },
  button: { text: { type: 'string', optional: true }, payload: { type: 'string', optional: true } },
  reaction: {
    targetWamid: { type: 'string', personal: "Meta's message id. It embeds the customer's phone number." },
    emoji: { type: 'string', optional: true, description: 'Absent when the customer removed the reaction.' },
  },
  order: {
    catalogId: { type: 'string', optional: true },
    itemCount: { type: 'integer' },
    text: { type: 'string', optional: true, personal: customersWords },
  },
  system: {
    systemType: { type: 'string', optional: true },
    body: { type: 'string', optional: true, personal: 'Can name the customer and their new number.' },
    newPhone: { type: 'string', optional: true, personal: "The customer's new number." },
    newUserId: { type: 'string', optional: true, personal: "The customer's new user id." },
    previousUserId: {
      type: 'string',
      optional: true,
      personal: "The customer's user id before the change (Meta's `previous_user_id`).",
    },
    parentUserId: { type: 'string', optional: true, personal: "The customer's new parent user id." },
  },
  /** The customer edited an earlier message: what it says now, as far as it is text. */
  edit: {
    targetWamid: { type: 'string', personal: "Meta's message id. It embeds the customer's phone number." },
    editedType: {
      type: 'string',
      optional: true,
      description: 'The type of the edited message (text, image, …).',
    },
    body: { type: 'string', optional: true, personal: "The customer's words: the new text or caption." },
  },
  /** The customer deleted an earlier message. */
  revoke: {
    targetWamid: { type: 'string', personal: "Meta's message id. It embeds the customer's phone number." },
  },
  /** The customer opened the chat for the first time; there is nothing to read. */
  welcome: {},
  unsupported: { unsupportedType: { type: 'string', optional: true } },
  /** Unknown and future types: their raw payload is stored with the message. */
  other: {},
} as const satisfies ContentKinds;

/** A JSON value, as data (the shape of zod's `z.json()`, which reads and checks it). */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A JSON object, as data. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** The value a field holds. */
type FieldValue<F> = F extends { readonly type: 'string' }
  ? string
  : F extends { readonly type: 'json' }
    ? JsonObject
    : F extends { readonly type: 'number' | 'integer' }
      ? number
      : F extends { readonly type: 'boolean' }
        ? boolean
        : F extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
          ? V
          : never;

type RequiredFields<S> = {
  readonly [P in keyof S as S[P] extends { readonly optional: true } ? never : P]: FieldValue<S[P]>;
};
type OptionalFields<S> = {
  readonly [P in keyof S as S[P] extends { readonly optional: true } ? P : never]?: FieldValue<S[P]>;
};
type Flat<T> = { [P in keyof T]: T[P] };

/** The content of one kind, as the code sees it: `{ kind, ...fields }`. */
export type ContentOfKind<K extends string, S> = Flat<
  { readonly kind: K } & RequiredFields<S> & OptionalFields<S>
>;

/** The union of every kind's content in a table of kinds. */
export type ContentOf<T extends ContentKinds> = {
  [K in keyof T & string]: ContentOfKind<K, T[K]>;
}[keyof T & string];

/** What a message says, by kind. `other` keeps unknown and future types; their raw payload is stored. */
export type MessageContent = ContentOf<typeof MESSAGE_CONTENT_KINDS>;

/** One of the content kinds. */
export type ContentKind = MessageContent['kind'];

/**
 * Every kind with its fields turned into `T` by `field`: what a schema builder (the table codec,
 * the event schema, a test's generator) makes its variants of, in the table's order.
 */
export function mapContentKinds<T>(
  kinds: ContentKinds,
  field: (definition: ContentField) => T,
): { readonly kind: string; readonly fields: Record<string, T> }[] {
  return Object.entries(kinds).map(([kind, fields]) => ({
    kind,
    fields: Object.fromEntries(Object.entries(fields).map(([name, definition]) => [name, field(definition)])),
  }));
}
