import { runCli } from '../../../src/cli/main';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('provisioner catalog resolve', () => {
  it('when plans and an add-on are resolved with --json, then the output is the sorted licenses as JSON', async () => {
    const { code, out } = await run(
      'catalog',
      'resolve',
      '--plan',
      'sales-premium',
      '--plan',
      'service-essentials',
      '--addon',
      'cep',
      '--json',
    );
    expect(code).toBe(0);
    const result: unknown = JSON.parse(out);
    expect(result).toEqual({
      features: [
        'auto-replies',
        'calendar',
        'combined-selections',
        'contact-management',
        'dashboards',
        'document-management',
        'email-integration',
        'mobile-crm',
        'opportunity-management',
        'project-management',
        'quotes',
        'request-categorization',
        'request-management',
        'saint',
        'sales-guide',
        'sales-pipeline',
        'sales-targets',
        'search-and-selections',
      ],
      systemLicenses: ['customer-centre', 'quote-management', 'sales-intelligence'],
      addonFeatures: [
        'customer-portal',
        'multi-language',
        'self-service-knowledge-base',
        'self-service-tickets',
      ],
    });
  });

  it('when resolved without --json, then the licenses are listed as text', async () => {
    const { code, out } = await run('catalog', 'resolve', '--plan', 'marketing-premium');
    expect(code).toBe(0);
    expect(out).toContain('marketing-automation');
    expect(out).toContain('tenant system licenses (0)');
  });

  it('when a plan is unknown, then the exit code is 2 and the message names the plan', async () => {
    const { code, err } = await run('catalog', 'resolve', '--plan', 'sales-basic', '--json');
    expect(code).toBe(2);
    expect(err).toContain('--plan: unknown plan "sales-basic"');
  });

  it('when an add-on is unknown, then the exit code is 2 and the message names the add-on', async () => {
    const { code, err } = await run('catalog', 'resolve', '--addon', 'crm-ai');
    expect(code).toBe(2);
    expect(err).toContain('--addon: unknown add-on "crm-ai"');
  });

  it('when a flag is unknown, then the exit code is 2 and the flag is named', async () => {
    const { code, err } = await run('catalog', 'resolve', '--plans', 'sales-premium');
    expect(code).toBe(2);
    expect(err).toContain("'--plans'");
  });

  it('when nothing is given to resolve, then the exit code is 2', async () => {
    expect((await run('catalog', 'resolve')).code).toBe(2);
  });
});

describe('provisioner catalog show', () => {
  it('when shown with --json, then the output is the catalog data of the version asked for', async () => {
    const { code, out } = await run('catalog', 'show', '--version', '1', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      id: '2026-01',
      version: 1,
      prices: { currency: 'EUR', sample: true },
    });
  });

  it('when shown as text, then plans, add-ons, rules with assumptions and prices are listed', async () => {
    const { code, out } = await run('catalog', 'show');
    expect(code).toBe(0);
    expect(out).toMatch(/sales-premium +sales +premium +sales-essentials +€89\.00 +€961\.00/);
    expect(out).toMatch(/calendar-sync +calendar-sync-connection/);
    expect(out).toContain('quotes                quote-management    Quotes need Quote Management');
    expect(out).toContain('sample prices');
  });

  it('when the version is unknown, then the exit code is 2 and the version is named', async () => {
    const { code, err } = await run('catalog', 'show', '--version', '9');
    expect(code).toBe(2);
    expect(err).toContain('--version: unknown catalog version 9');
  });

  it('when the action is unknown, then the exit code is 2', async () => {
    const { code, err } = await run('catalog', 'list');
    expect(code).toBe(2);
    expect(err).toContain('unknown action "list"');
  });
});
