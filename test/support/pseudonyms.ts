import { memoizedPseudonyms, Pseudonymizer } from '../../lambda/shared/privacy';

/** The pseudonym key of tests that run the handler sources (the bundles read theirs from the simulator). */
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdefghijklmnop';

/** Pseudonyms under {@link TEST_PSEUDONYM_KEY}, as the handler's dependency. */
export const testPseudonyms = memoizedPseudonyms(async () => TEST_PSEUDONYM_KEY);

/** The pseudonymizer itself, to compute expected values. */
export const testPseudonymizer = new Pseudonymizer(TEST_PSEUDONYM_KEY);
