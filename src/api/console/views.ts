import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyView from '@fastify/view';
import handlebars from 'handlebars';
import { operatorOf } from './console-session';

/**
 * Templates sit beside this file (the production build copies them into dist). Handlebars
 * escapes every `{{value}}`, so ids, error messages and reasons from the ledger or
 * Temporal are shown as text, never as markup.
 */
const VIEWS = join(__dirname, 'views');

export const PARTIALS = {
  'attention-list': 'attention-list.hbs',
  notice: 'notice.hbs',
  sources: 'sources.hbs',
};

/** Registers the view engine on the console's own context (it decorates that context's replies). */
export async function registerViews(app: FastifyInstance): Promise<void> {
  await app.register(fastifyView, {
    engine: { handlebars: handlebars.create() },
    root: VIEWS,
    options: { partials: PARTIALS },
  });
}

/** A whole page: the template inside the layout, with who is signed in. */
export async function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown> & { title: string },
  options: { signedIn?: boolean } = {},
): Promise<string> {
  const signedIn = options.signedIn ?? true;
  return reply.type('text/html; charset=utf-8').viewAsync(
    template,
    { ...data, operator: signedIn ? operatorOf(request) : undefined },
    {
      layout: 'layout.hbs',
    },
  );
}

/** A piece of a page that htmx swaps in. */
export async function renderFragment(
  reply: FastifyReply,
  template: string,
  data: object,
): Promise<string> {
  return reply.type('text/html; charset=utf-8').viewAsync(template, data);
}

export const isHtmx = (request: FastifyRequest) => request.headers['hx-request'] === 'true';
