/** Environment variables of the keyword-reply function, shared by its construct and its handler. */
export const KEYWORD_REPLY_ENV = {
  /** The table of reply claims. */
  claimsTableName: 'REPLY_CLAIMS_TABLE_NAME',
  /** Keywords and their replies, as JSON. */
  keywords: 'KEYWORD_REPLIES',
} as const;
