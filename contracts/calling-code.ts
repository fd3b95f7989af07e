/**
 * The country calling code of a phone number (ITU-T E.164), which is what a rate card prices by.
 * Calling codes are prefix-free, so a number has exactly one: the one- and two-digit codes the ITU
 * assigned are listed here, and every other number starts with a three-digit code.
 */

/** The one- and two-digit country calling codes (ITU-T E.164 assignments). */
const SHORT_CALLING_CODES: ReadonlySet<string> = new Set([
  '1',
  '7',
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

/**
 * The calling code a WhatsApp id (`wa_id`, digits only, as Meta sends it) starts with.
 * @returns the code's digits, or `undefined` when the id is not a phone number of 4 to 15 digits
 */
export function callingCodeOf(waId: string): string | undefined {
  const digits = waId.startsWith('+') ? waId.slice(1) : waId;
  if (!/^[1-9]\d{3,14}$/.test(digits)) return undefined;
  for (const length of [1, 2]) {
    const prefix = digits.slice(0, length);
    if (SHORT_CALLING_CODES.has(prefix)) return prefix;
  }
  return digits.slice(0, 3);
}

/**
 * Whether a string is a calling code as numbers start with it: "44" is, "4" and "441" are not (a
 * number that starts 441 has the code 44), so a rate card row can never name a code no number has.
 */
export function isCallingCode(code: string): boolean {
  return /^[1-9]\d{0,2}$/.test(code) && callingCodeOf(`${code}0000000`) === code;
}
