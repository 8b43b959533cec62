import { startCalendarSyncSimulator, type CalendarSyncSimulator } from './calendar-sync-simulator';
import { startCepSimulator, type CepSimulator } from './cep-simulator';

export interface ProvisioningSimulators {
  calendarSync: CalendarSyncSimulator;
  cep: CepSimulator;
  close(): Promise<void>;
}

/** Both simulators, as `npm start` runs them when no provider URL is configured. */
export async function startProvisioningSimulators(options: {
  token: string;
  calendarSyncPort?: number;
  cepPort?: number;
}): Promise<ProvisioningSimulators> {
  const calendarSync = await startCalendarSyncSimulator({
    token: options.token,
    port: options.calendarSyncPort,
  });
  try {
    const cep = await startCepSimulator({ token: options.token, port: options.cepPort });
    return {
      calendarSync,
      cep,
      close: async () => {
        await Promise.all([calendarSync.close(), cep.close()]);
      },
    };
  } catch (error: unknown) {
    await calendarSync.close();
    throw error;
  }
}
