import { buildApi } from '../../../src/api/app';
import { createLedger, openDatabase } from '../../../src/ledger';
import { apiKeys } from './api-harness';
import { serveForTest } from './http-client';

describe('health check', () => {
  it('when the ledger cannot be reached, then /healthz answers 503', async () => {
    // Nothing listens on port 1: every query fails to connect.
    const db = await openDatabase({ databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none' });
    const app = buildApi({ ledger: createLedger(db), apiKeys });
    try {
      const client = await serveForTest(app);

      const response = await client.request('GET', '/healthz');

      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: 'unavailable' });
    } finally {
      await app.close();
      await db.close();
    }
  });
});
