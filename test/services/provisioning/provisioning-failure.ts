import { ProvisioningError } from '../../../src/provisioning/provisioning-error';

/** The ProvisioningError a call rejects with; fails the test if it succeeds or throws anything else. */
export async function provisioningFailure(call: Promise<unknown>): Promise<ProvisioningError> {
  try {
    await call;
  } catch (error: unknown) {
    if (error instanceof ProvisioningError) return error;
    throw error;
  }
  throw new Error('expected a ProvisioningError, but the call succeeded');
}
