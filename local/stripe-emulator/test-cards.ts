/**
 * Stripe's test cards and the `pm_card_*` payment methods that stand for them, with the
 * outcome Stripe gives each in test mode (https://docs.stripe.com/testing).
 */
export type CardBehaviour =
  | { kind: 'succeed' }
  | { kind: 'decline'; declineCode: string; message: string }
  /** 3-D Secure on every payment: on session the customer must act; off session it fails. */
  | { kind: 'authenticate' };

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard';
  behaviour: CardBehaviour;
}

const succeed: CardBehaviour = { kind: 'succeed' };
const authenticate: CardBehaviour = { kind: 'authenticate' };
const decline = (declineCode: string, message: string): CardBehaviour => ({
  kind: 'decline',
  declineCode,
  message,
});

const CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', behaviour: succeed },
  { number: '5555555555554444', brand: 'mastercard', behaviour: succeed },
  {
    number: '4000000000000002',
    brand: 'visa',
    behaviour: decline('generic_decline', 'Your card was declined.'),
  },
  {
    number: '4000000000009995',
    brand: 'visa',
    behaviour: decline('insufficient_funds', 'Your card has insufficient funds.'),
  },
  { number: '4000002760003184', brand: 'visa', behaviour: authenticate },
  { number: '4000000000003220', brand: 'visa', behaviour: authenticate },
];

/** The test payment methods Stripe provides in every test account. */
export const TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_mastercard: '5555555555554444',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_threeDSecure2Required: '4000000000003220',
};

/** A Luhn-valid number that is not a test card is a real card: test mode declines it. */
const LIVE_CARD = decline(
  'test_mode_live_card',
  'Your card was declined. Your request was in test mode, but used a non test (live) card.',
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
