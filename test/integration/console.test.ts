import type { Browser, BrowserContext, Page } from 'playwright-core';
import { getCatalog, planFeatures } from '../../src/catalog';
import { describeInBrowser, launchChromium, screenshot } from './console-browser';
import {
  addonOrder,
  isFinal,
  OPS_KEY,
  OPS_KEY_NAME,
  planOrder,
  READ_KEY,
  startOrderStack,
  uniqueId,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

const OPERATOR = OPS_KEY_NAME;
const TEMPORAL_UI = 'http://temporal-ui.example:8233';
const BROWSER_TEST_MS = 120_000;

describeInBrowser('the ops console in a browser', (executablePath) => {
  let stack: OrderStack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    stack = await startOrderStack({ TEMPORAL_UI_URL: TEMPORAL_UI });
    browser = await launchChromium(executablePath);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  });

  afterEach(async () => {
    stack.simulators!.calendarSync.faults.clear();
    await context?.close();
  });

  const url = (path: string) => `${stack.api.url}${path}`;

  /** A calendar-sync order while the provider is down: it parks at provision. */
  async function parkedOrder(tenantId = uniqueId('tenant')) {
    stack.simulators!.calendarSync.faults.outage(503);
    const order = addonOrder('calendar-sync', { tenantId });
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    await waitForOrder(stack, order.orderId, (s) => s.state === 'needs-attention');
    return order;
  }

  async function signIn(page: Page, key = OPS_KEY): Promise<void> {
    await page.goto(url('/console'));
    await page.getByLabel('Ops API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const row = (page: Page, orderId: string) => page.locator(`tr[data-order-id="${orderId}"]`);

  test(
    'when a request has no ops key, then it sees the sign-in form or a 401 and never data; a read key is refused',
    async () => {
      const order = await parkedOrder();
      const paths = [
        '/console',
        '/console/attention',
        `/console/orders/${order.orderId}`,
        `/console/orders/${order.orderId}/abort`,
        `/console/tenants/${order.tenantId}`,
      ];
      const asked = [
        { headers: {} as Record<string, string>, status: 401 },
        { headers: { authorization: `Bearer ${READ_KEY}` }, status: 403 },
        { headers: { cookie: `console_key=${READ_KEY}` }, status: 403 },
        { headers: { cookie: 'console_key=not-a-key' }, status: 401 },
      ];
      for (const { headers, status } of asked) {
        for (const path of paths) {
          const response = await fetch(url(path), { headers });
          const body = await response.text();
          expect({ path, headers, status: response.status }).toEqual({ path, headers, status });
          expect(body).not.toContain(order.orderId);
          expect(body).not.toContain(order.tenantId);
        }
        const retry = await fetch(url(`/console/orders/${order.orderId}/retry`), {
          method: 'POST',
          headers,
        });
        expect(retry.status).toBe(status);
      }
      expect((await stack.http.order(order.orderId)).body.state).toBe('needs-attention');

      const page = await context.newPage();
      const first = await page.goto(url('/console'));
      expect(first?.status()).toBe(401);
      await expect(page.title()).resolves.toMatch(/Sign in/);
      expect(await page.content()).not.toContain(order.orderId);
      await screenshot(page, 'login');

      await signIn(page, READ_KEY);
      await page.getByRole('alert').getByText('not an ops key').waitFor();
      expect(await context.cookies()).toEqual([]);
      expect(await page.content()).not.toContain(order.orderId);

      await signIn(page, OPS_KEY);
      await row(page, order.orderId).waitFor();
      const cookie = (await context.cookies()).find((c) => c.name === 'console_key');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });

      // Leave nothing parked on the shared dev server.
      stack.simulators!.calendarSync.faults.clear();
      expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
      expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('compensated');
    },
    BROWSER_TEST_MS,
  );

  test(
    'when an order parks, then the list shows its failed step and error, and Retry completes it and it leaves the list',
    async () => {
      const order = await parkedOrder();
      const page = await context.newPage();
      await signIn(page);
      const parked = row(page, order.orderId);
      await parked.waitFor();
      await expect(parked.innerText()).resolves.toMatch(/provision/);
      await expect(parked.innerText()).resolves.toMatch(/PROVISIONING\.UNAVAILABLE/);
      await expect(parked.innerText()).resolves.toMatch(/addon · calendar-sync/);
      await expect(parked.innerText()).resolves.toMatch(/aborts by itself in/);
      await screenshot(page, 'needs-attention');

      stack.simulators!.calendarSync.faults.clear();
      await page.getByRole('button', { name: `Retry order ${order.orderId}` }).click();
      await page.locator('#notices').getByText('Retry sent').waitFor();
      // The list polls every 2 s: the completed order leaves it without a reload.
      await parked.waitFor({ state: 'detached', timeout: 30_000 });

      const done = await waitForOrder(stack, order.orderId, isFinal);
      expect(done.state).toBe('completed');
      expect(done.decisions).toEqual([
        expect.objectContaining({ action: 'retry', by: OPERATOR, step: 'provision' }),
      ]);
    },
    BROWSER_TEST_MS,
  );

  test(
    'when ops aborts with a reason, then the order compensates and its page shows who decided, why and what was undone',
    async () => {
      const order = await parkedOrder();
      stack.simulators!.calendarSync.faults.clear();
      const page = await context.newPage();
      await signIn(page);
      await page.getByRole('button', { name: `Abort order ${order.orderId}` }).click();
      await page.getByRole('heading', { name: `Abort order ${order.orderId}` }).waitFor();
      await screenshot(page, 'abort');
      const withoutReason = await fetch(url(`/console/orders/${order.orderId}/abort`), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${OPS_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'reason=%20',
      });
      expect(withoutReason.status).toBe(400);
      expect((await stack.http.order(order.orderId)).body.state).toBe('needs-attention');
      await page
        .getByLabel('Reason for aborting (recorded with the decision)')
        .fill('customer cancelled by phone');
      await page.getByRole('button', { name: `Abort order ${order.orderId}` }).click();
      await page.getByRole('heading', { name: `Order ${order.orderId}` }).waitFor();

      const done = await waitForOrder(stack, order.orderId, isFinal);
      expect(done.state).toBe('compensated');
      expect(done.decisions).toEqual([
        expect.objectContaining({
          action: 'abort',
          by: OPERATOR,
          reason: 'customer cancelled by phone',
        }),
      ]);

      await page.reload();
      const text = await page.locator('main').innerText();
      expect(text).toMatch(/State\s+compensated/);
      expect(text).toContain('release-payment: done');
      expect(text).toContain('revoke-licenses: done');
      expect(text).toMatch(
        new RegExp(`${OPERATOR}\\s+abort\\s+provision\\s+customer cancelled by phone`),
      );
      expect(text).toMatch(/Refunded\s+no/);
      expect(text).toContain(`calsync-sub-${order.orderId}`);
      const workflowLink = page.getByRole('link', { name: /in the Temporal UI/ });
      await expect(workflowLink.getAttribute('href')).resolves.toBe(
        `${TEMPORAL_UI}/namespaces/default/workflows/order-${order.orderId}`,
      );
      await screenshot(page, 'order');
    },
    BROWSER_TEST_MS,
  );

  test(
    'when ops retries a selection, then each is retried in turn with progress shown, and all complete',
    async () => {
      const tenantId = uniqueId('tenant');
      const orders = [await parkedOrder(tenantId), await parkedOrder(tenantId)];
      const page = await context.newPage();
      await signIn(page);
      for (const order of orders) {
        await page.getByLabel(`Select order ${order.orderId}`).check();
      }
      // A poll replaces the list; the ticks survive it.
      await page.waitForTimeout(2500);
      for (const order of orders) {
        await expect(page.getByLabel(`Select order ${order.orderId}`).isChecked()).resolves.toBe(
          true,
        );
      }

      stack.simulators!.calendarSync.faults.clear();
      await page.getByRole('button', { name: 'Retry selected' }).click();
      await page.locator('#bulk-status').getByText('2 of 2 done').waitFor();
      await expect(page.locator('#bulk-bar').getAttribute('value')).resolves.toBe('2');
      for (const order of orders) {
        await expect(page.locator(`#bulk-${order.orderId}`).innerText()).resolves.toMatch(
          /retried/,
        );
      }
      await screenshot(page, 'bulk-retry');
      for (const order of orders) {
        const done = await waitForOrder(stack, order.orderId, isFinal);
        expect(done.state).toBe('completed');
        await row(page, order.orderId).waitFor({ state: 'detached', timeout: 30_000 });
      }
    },
    BROWSER_TEST_MS,
  );

  test(
    'when a user is seated on two plans that both imply a feature, then the explorer shows both sources',
    async () => {
      const tenantId = uniqueId('tenant');
      const user = 'carol';
      const sales = planOrder({ tenantId, plan: 'sales-essentials', seats: 1, assignTo: [user] });
      const service = planOrder({
        tenantId,
        plan: 'service-essentials',
        seats: 1,
        assignTo: [user],
      });
      for (const order of [sales, service]) {
        expect((await stack.http.placeOrder(order)).status).toBe(201);
        expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');
      }
      const shared = planFeatures(getCatalog(), 'sales-essentials').find((feature) =>
        planFeatures(getCatalog(), 'service-essentials').includes(feature),
      );
      expect(shared).toBeDefined();

      const page = await context.newPage();
      await signIn(page);
      await page.goto(url(`/console/tenants/${tenantId}`));
      await page.getByRole('heading', { name: `Tenant ${tenantId}` }).waitFor();
      await page.getByLabel('User id').fill(user);
      await page.getByRole('button', { name: 'Show features and why' }).click();
      const feature = page.locator(`#explorer-result tr[data-feature="${shared}"]`);
      await feature.waitFor();
      const why = await feature.innerText();
      expect(why).toContain('2 sources');
      for (const [order, plan] of [
        [sales, 'sales-essentials'],
        [service, 'service-essentials'],
      ] as const) {
        expect(why).toContain(plan);
        expect(why).toContain(order.orderId);
        expect(why).toContain(`sub-${order.orderId}`);
      }
      const seats = await page.locator('main').innerText();
      expect(seats).toMatch(/sales-essentials\s+1\s+1\s+0/);
      expect(seats).toMatch(/service-essentials\s+1\s+1\s+0/);
      await screenshot(page, 'tenant');
    },
    BROWSER_TEST_MS,
  );
});
