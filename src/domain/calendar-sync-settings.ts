import { z } from 'zod';
import { internalHostReason } from './internal-host';

/**
 * The calendar providers a tenant can sync with, and the settings each one needs. The
 * catalog's purchase schema reuses these, so a purchase with bad settings is refused at
 * checkout with the same message the provisioning client would give.
 */
export const calendarProviderSchema = z.enum(['m365', 'google', 'exchange']);
export type CalendarProvider = z.infer<typeof calendarProviderSchema>;

// Domains are compared case-insensitively by every provider, so they are stored in lower
// case: `Contoso.com` and `contoso.com` must be the same connection, not a conflict.
const domainNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(z.regexes.domain, 'must be a domain name such as contoso.com');

/** Microsoft 365: the Entra ID tenant's domain (contoso.com or contoso.onmicrosoft.com). */
export const m365SettingsSchema = z.strictObject({ tenantDomain: domainNameSchema });
export type M365Settings = z.infer<typeof m365SettingsSchema>;

/** Google Workspace: the primary domain of the workspace. */
export const googleSettingsSchema = z.strictObject({ workspaceDomain: domainNameSchema });
export type GoogleSettings = z.infer<typeof googleSettingsSchema>;

const EWS_URL_EXAMPLE = 'such as https://mail.contoso.com/EWS/Exchange.asmx';

/**
 * Exchange on-premises: the EWS endpoint. Only https with a real, public host name:
 * the sync service sends the tenant's Exchange credentials to it, so a URL that points
 * at a loopback, private, link-local or cloud metadata host would turn the service into
 * a way to reach (and leak credentials to) its own network.
 */
export const exchangeSettingsSchema = z.strictObject({
  ewsUrl: z
    .url({ protocol: /^https$/, error: `must be an https URL, ${EWS_URL_EXAMPLE}` })
    .superRefine((value, ctx) => {
      // Not a URL at all: the check above has said so.
      if (!URL.canParse(value)) return;
      const { hostname } = new URL(value);
      const internal = internalHostReason(hostname);
      if (internal) {
        ctx.addIssue({
          code: 'custom',
          message: `must not point at ${internal} (${hostname}); use the Exchange server's public host name`,
        });
      } else if (!z.regexes.domain.test(hostname)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be an https URL with a host name, ${EWS_URL_EXAMPLE}`,
        });
      }
    }),
});
export type ExchangeSettings = z.infer<typeof exchangeSettingsSchema>;

/**
 * A provider with its settings. The discriminator picks the settings schema, and strict
 * objects make another provider's settings (a `workspaceDomain` sent for m365) an error
 * naming that key instead of a silently dropped field.
 */
export const calendarSyncSetupSchema = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('m365'), settings: m365SettingsSchema }),
  z.strictObject({ provider: z.literal('google'), settings: googleSettingsSchema }),
  z.strictObject({ provider: z.literal('exchange'), settings: exchangeSettingsSchema }),
]);
export type CalendarSyncSetup = z.infer<typeof calendarSyncSetupSchema>;
