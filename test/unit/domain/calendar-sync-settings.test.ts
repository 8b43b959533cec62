import { calendarSyncSetupSchema } from '../../../src/domain/calendar-sync-settings';

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

  test.each([
    'http://mail.contoso.com/EWS',
    'mail.contoso.com/EWS',
    '',
    'https://203.0.113.7/EWS/Exchange.asmx',
    'https://exchange/EWS',
  ])('when the EWS URL is "%s", then it is refused with a message naming https', (ewsUrl) => {
    const result = calendarSyncSetupSchema.safeParse({
      provider: 'exchange',
      settings: { ewsUrl },
    });

    expect(result.error?.issues[0]?.path).toEqual(['settings', 'ewsUrl']);
    expect(result.error?.issues[0]?.message).toContain('https');
  });

  test.each([
    ['https://localhost/EWS', 'a loopback host'],
    ['https://mail.localhost/EWS', 'a loopback host'],
    ['https://127.0.0.1/EWS', 'a loopback address'],
    ['https://2130706433/EWS', 'a loopback address (127.0.0.1)'],
    ['https://0x7f.1/EWS', 'a loopback address (127.0.0.1)'],
    ['https://10.1.2.3/EWS', 'a private address'],
    ['https://172.20.0.5/EWS', 'a private address'],
    ['https://192.168.1.10:8443/EWS', 'a private address'],
    ['https://100.64.0.1/EWS', 'a private address'],
    ['https://169.254.169.254/latest/meta-data', 'a link-local or metadata address'],
    ['https://metadata.google.internal/computeMetadata', 'a metadata or internal host'],
    ['https://exchange.corp.internal/EWS', 'a metadata or internal host'],
    ['https://[::1]/EWS', 'a loopback address'],
    ['https://[::]/EWS', 'a loopback address'],
    ['https://[fd00:ec2::254]/EWS', 'a private address'],
    ['https://[fe80::1]/EWS', 'a link-local address'],
    ['https://[::ffff:127.0.0.1]/EWS', 'a loopback address'],
    ['https://[::ffff:a9fe:a9fe]/EWS', 'a link-local or metadata address'],
    ['https://[64:ff9b::10.0.0.1]/EWS', 'a private address'],
  ])('when the EWS URL is %s, then it is refused naming the field and why', (ewsUrl, why) => {
    const result = calendarSyncSetupSchema.safeParse({
      provider: 'exchange',
      settings: { ewsUrl },
    });

    expect(result.error?.issues[0]?.path).toEqual(['settings', 'ewsUrl']);
    expect(result.error?.issues[0]?.message).toContain(`must not point at ${why}`);
  });

  test('when the EWS URL names a public IPv6 address, then it is still refused for want of a host name', () => {
    const result = calendarSyncSetupSchema.safeParse({
      provider: 'exchange',
      settings: { ewsUrl: 'https://[2001:db8::1]/EWS' },
    });

    expect(result.error?.issues[0]?.message).toContain('with a host name');
  });
});
