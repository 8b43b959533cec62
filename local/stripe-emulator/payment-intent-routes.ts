import { z } from 'zod';
import { route, ok, type ApiRoute } from './api-route';
import type { EmulatedPaymentIntent, EmulatedPaymentMethod } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
import { expandObject } from './expand';
import { form, parseForm } from './form-schema';
import { newId, nowSeconds } from './ids';
import { listResponse, listShape } from './list-response';
import { cancelIntent, captureIntent, confirmIntent } from './payment-intent-rules';
import { createCardPaymentMethod, resolvePaymentMethod } from './payment-method-rules';
import { matchesSearch, parseSearchQuery } from './search-query';
import { itemExpansions, searchResult, searchShape } from './search-result';
import { stripeErrors } from './stripe-error';

const cardData = z.strictObject({
  type: z.literal('card'),
  card: z.strictObject({
    number: form.string(),
    exp_month: form.int().optional(),
    exp_year: form.int().optional(),
    cvc: form.string().optional(),
  }),
});
const offSession = z.union([form.bool(), z.enum(['one_off', 'recurring'])]);
const paymentMethodTypes = z.array(z.literal('card', 'only card payments are emulated'));

/** What a confirmation may carry, on create (with confirm=true) and on /confirm. */
const confirmShape = {
  payment_method: form.string().optional(),
  payment_method_data: cardData.optional(),
  off_session: offSession.optional(),
  return_url: z.url().optional(),
  setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
  expand: form.expand(),
};

const createParams = z.strictObject({
  ...confirmShape,
  amount: form.int(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a three-letter currency code'),
  capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
  confirm: form.bool().optional(),
  customer: form.string().optional(),
  description: z.string().max(1000).optional(),
  metadata: form.metadata().optional(),
  payment_method_types: paymentMethodTypes.optional(),
  automatic_payment_methods: z
    .strictObject({
      enabled: form.bool(),
      allow_redirects: z.enum(['always', 'never']).optional(),
    })
    .optional(),
  receipt_email: z.email().optional(),
  statement_descriptor_suffix: z.string().max(22).optional(),
});

const confirmParams = z.strictObject({ ...confirmShape, client_secret: form.string().optional() });
const retrieveParams = z.strictObject({
  client_secret: form.string().optional(),
  expand: form.expand(),
});
const captureParams = z.strictObject({
  amount_to_capture: form.int().optional(),
  metadata: form.metadata().optional(),
  expand: form.expand(),
});
const listParams = z.strictObject({ ...listShape, customer: form.string().optional() });
const searchParams = z.strictObject(searchShape);
const cancelParams = z.strictObject({
  cancellation_reason: z
    .enum(['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'])
    .optional(),
  expand: form.expand(),
});

/** Stripe's limits for a charge in most currencies: 0.50 to 999,999.99. */
const MIN_AMOUNT = 50;
const MAX_AMOUNT = 99_999_999;

export function paymentIntentRoutes(state: EmulatorState): ApiRoute[] {
  const find = (id: string): EmulatedPaymentIntent => {
    const intent = state.paymentIntents.get(id);
    if (!intent) throw stripeErrors.noSuch('payment_intent', id);
    return intent;
  };
  const render = (intent: EmulatedPaymentIntent, expand: string[] | undefined) =>
    ok(expandObject(state, intent, expand));

  const paymentMethodFrom = (
    params: Pick<z.output<typeof createParams>, 'payment_method' | 'payment_method_data'>,
    customer: string | null,
  ): EmulatedPaymentMethod | undefined => {
    if (params.payment_method !== undefined && params.payment_method_data !== undefined) {
      throw stripeErrors.invalid(
        'You may only specify one of these parameters: payment_method, payment_method_data.',
        { param: 'payment_method_data' },
      );
    }
    if (params.payment_method_data) {
      return createCardPaymentMethod(
        state,
        params.payment_method_data.card,
        'payment_method_data[card]',
      );
    }
    if (params.payment_method === undefined) return undefined;
    const method = resolvePaymentMethod(state, params.payment_method);
    if (method.customer !== null && method.customer !== customer) {
      throw stripeErrors.invalid(
        `The provided PaymentMethod ${method.id} belongs to another Customer; pass that customer to use it.`,
        { param: 'payment_method' },
      );
    }
    return method;
  };

  const confirm = (
    intent: EmulatedPaymentIntent,
    params: z.output<typeof confirmParams>,
    context: Parameters<ApiRoute['handle']>[0]['context'],
  ): void => {
    const automatic = intent.automatic_payment_methods;
    // Stripe refuses a confirm that could redirect the customer with nowhere to return to.
    if (automatic?.enabled && automatic.allow_redirects !== 'never' && !params.return_url) {
      throw stripeErrors.invalid(
        "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, because automatic_payment_methods is enabled by default. Some of these payment methods might redirect your customer off of your page and you must provide a return_url. If you don't want to accept redirect-based payment methods, set automatic_payment_methods[enabled] to true and automatic_payment_methods[allow_redirects] to never.",
        { param: 'return_url' },
      );
    }
    if (params.setup_future_usage) intent.setup_future_usage = params.setup_future_usage;
    confirmIntent(state, context, intent, {
      offSession: params.off_session !== undefined && params.off_session !== false,
    });
  };

  return [
    route('POST', '/v1/payment_intents', ({ params, context }) => {
      const p = parseForm(createParams, params);
      if (p.amount < MIN_AMOUNT) {
        throw stripeErrors.invalid(`Amount must be at least ${MIN_AMOUNT} ${p.currency}`, {
          code: 'amount_too_small',
          param: 'amount',
        });
      }
      if (p.amount > MAX_AMOUNT) {
        throw stripeErrors.invalid(`Amount must be no more than ${MAX_AMOUNT}`, {
          code: 'amount_too_large',
          param: 'amount',
        });
      }
      if (p.customer !== undefined && !state.customers.has(p.customer)) {
        throw stripeErrors.noSuch('customer', p.customer, 'customer');
      }
      if (p.off_session !== undefined && p.confirm !== true) {
        throw stripeErrors.invalid('You can only pass off_session when confirm is true.', {
          param: 'off_session',
        });
      }
      if (p.payment_method_types && p.automatic_payment_methods) {
        throw stripeErrors.invalid(
          'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
          { param: 'payment_method_types' },
        );
      }
      const customer = p.customer ?? null;
      const method = paymentMethodFrom(p, customer);
      const id = newId('pi');
      const intent: EmulatedPaymentIntent = {
        id,
        object: 'payment_intent',
        amount: p.amount,
        amount_capturable: 0,
        amount_received: 0,
        currency: p.currency.toLowerCase(),
        customer,
        payment_method: method?.id ?? null,
        payment_method_types: ['card'],
        automatic_payment_methods: p.payment_method_types
          ? null
          : {
              enabled: p.automatic_payment_methods?.enabled ?? true,
              allow_redirects: p.automatic_payment_methods?.allow_redirects ?? 'always',
            },
        status: method ? 'requires_confirmation' : 'requires_payment_method',
        capture_method: p.capture_method ?? 'automatic',
        confirmation_method: 'automatic',
        client_secret: `${id}_secret_${newId('cs').slice(3)}`,
        created: nowSeconds(),
        canceled_at: null,
        cancellation_reason: null,
        description: p.description ?? null,
        metadata: p.metadata ?? {},
        last_payment_error: null,
        latest_charge: null,
        next_action: null,
        setup_future_usage: p.setup_future_usage ?? null,
        livemode: false,
      };
      state.paymentIntents.set(id, intent);
      state.stats.count('paymentIntents');
      state.emit('payment_intent.created', intent, context);
      if (p.confirm) confirm(intent, p, context);
      return render(intent, p.expand);
    }),

    route('GET', '/v1/payment_intents', ({ params }) => {
      const p = parseForm(listParams, params);
      const intents = [...state.paymentIntents.values()].filter(
        (intent) => p.customer === undefined || intent.customer === p.customer,
      );
      return ok(listResponse('/v1/payment_intents', intents, p));
    }),

    // Before /:id, which would take "search" for an id.
    route('GET', '/v1/payment_intents/search', ({ params }) => {
      const p = parseForm(searchParams, params);
      const query = parseSearchQuery(p.query);
      const found = [...state.paymentIntents.values()].filter((intent) =>
        matchesSearch(intent, query),
      );
      return ok(
        searchResult('/v1/payment_intents/search', found, p, (intent) =>
          expandObject(state, intent, itemExpansions(p.expand)),
        ),
      );
    }),

    route('GET', '/v1/payment_intents/:id', ({ params, args: [id = ''] }) => {
      const p = parseForm(retrieveParams, params);
      const intent = find(id);
      if (p.client_secret !== undefined && p.client_secret !== intent.client_secret) {
        throw stripeErrors.invalid(
          'The client_secret provided does not match this PaymentIntent.',
          {
            param: 'client_secret',
          },
        );
      }
      return render(intent, p.expand);
    }),

    route('POST', '/v1/payment_intents/:id/confirm', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(confirmParams, params);
      const intent = find(id);
      if (p.client_secret !== undefined && p.client_secret !== intent.client_secret) {
        throw stripeErrors.invalid(
          'The client_secret provided does not match this PaymentIntent.',
          {
            param: 'client_secret',
          },
        );
      }
      const method = paymentMethodFrom(p, intent.customer);
      if (method) {
        intent.payment_method = method.id;
        if (intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
      }
      confirm(intent, p, context);
      return render(intent, p.expand);
    }),

    route('POST', '/v1/payment_intents/:id/capture', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(captureParams, params);
      const intent = find(id);
      captureIntent(state, context, intent, p.amount_to_capture);
      if (p.metadata) Object.assign(intent.metadata, p.metadata);
      return render(intent, p.expand);
    }),

    route('POST', '/v1/payment_intents/:id/cancel', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(cancelParams, params);
      const intent = find(id);
      cancelIntent(state, context, intent, p.cancellation_reason);
      return render(intent, p.expand);
    }),
  ];
}
