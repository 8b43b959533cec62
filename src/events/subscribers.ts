import { z } from 'zod';

/** One endpoint that receives license events as signed HTTP webhooks. */
export const subscriberSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters among A-Z a-z 0-9 _ . : -'),
  url: z.url(),
  secret: z.string().min(16, 'must be at least 16 characters'),
});
export type Subscriber = z.infer<typeof subscriberSchema>;

/**
 * EVENT_WEBHOOKS: a JSON array of `{ "name", "url", "secret" }`. Names are unique: a
 * subscriber's delivery state is kept under its name.
 */
export const subscribersSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {name, url, secret}' });
      return z.NEVER;
    }
  })
  .pipe(z.array(subscriberSchema))
  .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
    message: 'subscriber names must be unique',
  });
