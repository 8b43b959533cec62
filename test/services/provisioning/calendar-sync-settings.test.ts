import { calendarSyncSetupSchema } from '../../../src/provisioning/calendar-sync-settings';

// The catalog's purchase schema reuses these: what they accept is what checkout accepts.
describe('calendar sync settings', () => {
  test('when domains are given in mixed case with spaces around, then they are kept trimmed and in lower case', () => {
    const setup = calendarSyncSetupSchema.parse({
      provider: 'google',
      settings: { workspaceDomain: '  Contoso.COM ' },
    });

    expect(setup.settings).toEqual({ workspaceDomain: 'contoso.com' });
  });

  test('when another provider’s settings are given, then the error names the foreign key', () => {
    const result = calendarSyncSetupSchema.safeParse({
      provider: 'exchange',
      settings: {
        ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
        tenantDomain: 'contoso.com',
      },
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['tenantDomain'],
    });
  });

  test.each([
    'https://mail.contoso.com/EWS/Exchange.asmx',
    'https://exchange.eu.fabrikam.co.uk:8443/ews/exchange.asmx',
  ])('when the EWS URL is %s, then it is accepted', (ewsUrl) => {
    expect(
      calendarSyncSetupSchema.safeParse({ provider: 'exchange', settings: { ewsUrl } }).success,
    ).toBe(true);
  });

  test.each(['http://mail.contoso.com/EWS', 'https://localhost/EWS', 'mail.contoso.com/EWS', ''])(
    'when the EWS URL is "%s", then it is refused with a message naming https',
    (ewsUrl) => {
      const result = calendarSyncSetupSchema.safeParse({
        provider: 'exchange',
        settings: { ewsUrl },
      });

      expect(result.error?.issues[0]?.path).toEqual(['settings', 'ewsUrl']);
      expect(result.error?.issues[0]?.message).toContain('https');
    },
  );
});
