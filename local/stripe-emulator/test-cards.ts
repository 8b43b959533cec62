/**
 * Stripe's test cards and the `pm_card_*` payment methods that stand for them, with the
 * outcome Stripe gives each in test mode (https://docs.stripe.com/testing).
 */
export interface CardDecline {
  /** The error's `code`: `card_declined` for issuer declines, else the specific reason. */
  code: string;
  /** The error's `decline_code`. Stripe's answers repeat the code here for the cards whose
   * code is the reason itself (`expired_card`, `incorrect_cvc`, `processing_error`). */
  declineCode: string;
  message: string;
  /** The card field the error names (`exp_month`, `cvc`), as Stripe's answer does. */
  param?: string;
}

export type CardBehaviour =
  | { kind: 'succeed' }
  /** Refused by the issuer at every use: attaching (which validates the card) and paying. */
  | { kind: 'decline'; decline: CardDecline }
  /** Validates, so it attaches to a customer, but every charge is declined. */
  | { kind: 'decline_charges'; decline: CardDecline }
  /** 3-D Secure on every payment: on session the customer must act off session it fails. */
  | { kind: 'authenticate' }
  /** 3-D Secure on session always; off session only until a payment set it up for that. */
  | { kind: 'authenticate_unless_set_up' };

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard';
  behaviour: CardBehaviour;
}

const succeed: CardBehaviour = { kind: 'succeed' };
const authenticate: CardBehaviour = { kind: 'authenticate' };
const issuerDecline = (declineCode: string, message = 'Your card was declined.'): CardDecline => ({
  code: 'card_declined',
  declineCode,
  message,
});
const decline = (reason: CardDecline): CardBehaviour => ({ kind: 'decline', decline: reason });

const GENERIC_DECLINE = issuerDecline('generic_decline');

const CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', behaviour: succeed },
  { number: '5555555555554444', brand: 'mastercard', behaviour: succeed },
  // Stripe's table of declined payments.
  { number: '4000000000000002', brand: 'visa', behaviour: decline(GENERIC_DECLINE) },
  {
    number: '4000000000009995',
    brand: 'visa',
    behaviour: decline(issuerDecline('insufficient_funds', 'Your card has insufficient funds.')),
  },
  { number: '4000000000009987', brand: 'visa', behaviour: decline(issuerDecline('lost_card')) },
  { number: '4000000000009979', brand: 'visa', behaviour: decline(issuerDecline('stolen_card')) },
  {
    number: '4000000000006975',
    brand: 'visa',
    behaviour: decline(issuerDecline('card_velocity_exceeded')),
  },
  {
    number: '4000000000000069',
    brand: 'visa',
    behaviour: decline({
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
      param: 'exp_month',
    }),
  },
  {
    number: '4000000000000127',
    brand: 'visa',
    behaviour: decline({
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
      param: 'cvc',
    }),
  },
  {
    number: '4000000000000119',
    brand: 'visa',
    behaviour: decline({
      code: 'processing_error',
      declineCode: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
    }),
  },
  // Attaching it to a customer succeeds; charging it fails: a renewal's dunning case.
  {
    number: '4000000000000341',
    brand: 'visa',
    behaviour: { kind: 'decline_charges', decline: GENERIC_DECLINE },
  },
  { number: '4000002760003184', brand: 'visa', behaviour: authenticate },
  { number: '4000002500003155', brand: 'visa', behaviour: { kind: 'authenticate_unless_set_up' } },
  { number: '4000000000003220', brand: 'visa', behaviour: authenticate },
];

/**
 * The test payment methods Stripe provides in every test account. Stripe's table names the
 * issuer declines `pm_card_visa_chargeDeclined…`; the older `pm_card_chargeDeclined…`
 * names still work at Stripe, and here too.
 */
export const TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_mastercard: '5555555555554444',
  pm_card_visa_chargeDeclined: '4000000000000002',
  pm_card_visa_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_visa_chargeDeclinedLostCard: '4000000000009987',
  pm_card_visa_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: '4000000000006975',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedLostCard: '4000000000009987',
  pm_card_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_chargeDeclinedIncorrectCvc: '4000000000000127',
  pm_card_chargeDeclinedProcessingError: '4000000000000119',
  pm_card_chargeCustomerFail: '4000000000000341',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_authenticationRequiredOnSetup: '4000002500003155',
  pm_card_threeDSecure2Required: '4000000000003220',
};

/** A Luhn-valid number that is not a test card is a real card: test mode declines it. */
const LIVE_CARD = decline(
  issuerDecline(
    'test_mode_live_card',
    'Your card was declined. Your request was in test mode, but used a non test (live) card.',
  ),
);

export function testCard(number: string): TestCard {
  const known = CARDS.find((card) => card.number === number);
  if (known) return known;
  return { number, brand: number.startsWith('5') ? 'mastercard' : 'visa', behaviour: LIVE_CARD };
}

export function isLuhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
