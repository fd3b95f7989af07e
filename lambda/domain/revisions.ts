/**
 * Edits and deletions of a customer's message. Meta sends each as a message of its own (`type:
 * edit`, `type: revoke`) that names the message it changes, in any order and possibly more than
 * once, and possibly before the message itself. The pipeline applies them to that message's record
 * rather than recording them as messages: the current content is a pure function of the content
 * as sent and the set of edits, so every arrival order converges to the same record.
 */
import type { MessageContent } from './model';

/** One edit of a message, as recorded on it. */
export interface MessageEdit {
  /** The edit's own wamid: each edit is applied once. */
  readonly wamid: string;
  /** ISO time of the edit (Meta's timestamp). */
  readonly at: string;
  /** The type of the edited message as the edit names it (text, image, …). */
  readonly editedType?: string;
  /** The new text, or the new caption of a media message. */
  readonly body?: string;
  readonly snsMessageId?: string;
  readonly recordedAt?: string;
}

/** The tombstone of a message the customer deleted: its content is gone, the fact remains. */
export interface MessageDeletion {
  /** The revoke's own wamid. */
  readonly wamid: string;
  /** ISO time of the deletion (Meta's timestamp). */
  readonly at: string;
  readonly recordedAt?: string;
}

/** Edits oldest first; equal times by wamid, so the order does not depend on arrival. */
export function sortedEdits(edits: readonly MessageEdit[]): MessageEdit[] {
  return [...edits].sort((a, b) => a.at.localeCompare(b.at) || a.wamid.localeCompare(b.wamid));
}

/** The edit that says what the message says now: the latest one. */
export function latestEdit(edits: readonly MessageEdit[]): MessageEdit | undefined {
  return sortedEdits(edits).at(-1);
}

/**
 * What a message says after an edit: a text's body or a media message's caption replaced. Other
 * kinds cannot be edited on WhatsApp; their content is kept as it is.
 */
export function withEdit(content: MessageContent, edit: Pick<MessageEdit, 'body'>): MessageContent {
  if (edit.body === undefined) return content;
  switch (content.kind) {
    case 'text':
      return { ...content, body: edit.body };
    case 'media':
      return { ...content, caption: edit.body };
    default:
      return content;
  }
}

/**
 * What a message says now: the content as sent with its latest edit applied; undefined when the
 * message was deleted or is not recorded yet.
 */
export function currentContent(
  content: MessageContent | undefined,
  edits: readonly MessageEdit[],
  deletion?: MessageDeletion,
): MessageContent | undefined {
  if (deletion !== undefined || content === undefined) return undefined;
  const latest = latestEdit(edits);
  return latest === undefined ? content : withEdit(content, latest);
}
