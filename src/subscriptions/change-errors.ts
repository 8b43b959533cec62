/**
 * A change the subscription cannot take, with a stable code, the HTTP status the API
 * answers and the field at fault; the CLI prints it and exits 2. Nothing has started
 * when one is thrown.
 */
export const CHANGE_ERRORS = {
  'CHANGE.NOT_FOUND': 404,
  'CHANGE.INVALID': 400,
  'CHANGE.NOT_AN_UPGRADE': 400,
  'CHANGE.NOT_A_DOWNGRADE': 400,
  'CHANGE.SUBSCRIPTION_NOT_CHANGEABLE': 409,
  'CHANGE.UNASSIGN_REQUIRED': 409,
  'CHANGE.SEATS_EXCEEDED': 409,
  'CHANGE.PLAN_ALREADY_ASSIGNED': 409,
  'CHANGE.ALREADY_SCHEDULED': 409,
  'CHANGE.NOT_SCHEDULED': 409,
  'CHANGE.DECISION_REJECTED': 409,
} as const;
export type ChangeErrorCode = keyof typeof CHANGE_ERRORS;

export class ChangeError extends Error {
  override readonly name = 'ChangeError';

  constructor(
    readonly code: ChangeErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return CHANGE_ERRORS[this.code];
  }
}
