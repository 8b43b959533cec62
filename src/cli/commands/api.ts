import { loadConfig } from '../../config';
import { assertSecretsFit } from '../../runtime/secret-rules';
import { openServices } from '../../runtime/services';
import { startApi } from '../../runtime/start-api';
import { connectClient } from '../../runtime/temporal';
import { startTracing } from '../../telemetry/tracing';
import { untilSignal } from '../until-signal';
import type { Command } from '../command';

/** `provisioner api`: serves checkout, webhooks, entitlements and ops over HTTP. */
export const apiCommand: Command = {
  summary: 'serve the HTTP API (checkout, Stripe webhooks, entitlements, ops)',
  usage: 'provisioner api',
  async run(_args, io) {
    const config = loadConfig();
    // Before anything opens: a refused secret should cost nothing but the message.
    assertSecretsFit(config, { service: 'api' });
    const tracing = startTracing(config, { service: 'provisioner-api' });
    const services = await openServices(config);
    const client = await connectClient(config);
    const api = await startApi(config, services, client);
    io.err(`API listening on ${api.url}\n`);
    await untilSignal();
    await api.close();
    await client.connection.close();
    await services.close();
    await tracing?.shutdown();
    return 0;
  },
};
