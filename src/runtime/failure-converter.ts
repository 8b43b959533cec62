import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces can quote personal data (an address a provider
 * refused, an email in a decline), so they travel as an encoded attribute that the
 * payload codec encrypts, not as plain text in the history. The worker loads this
 * module into the workflow sandbox by path (`failureConverterPath`).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
