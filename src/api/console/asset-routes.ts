import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

/**
 * htmx comes from its npm package (node_modules), not a CDN: the console works offline
 * and serves exactly the version package-lock.json pins. Both files are public code.
 */
const ASSETS = [
  {
    path: 'htmx.min.js',
    file: require.resolve('htmx.org/dist/htmx.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  {
    path: 'console.css',
    file: join(__dirname, 'assets', 'console.css'),
    type: 'text/css; charset=utf-8',
  },
];

export function assetRoutes(): FastifyPluginAsync {
  return async (app) => {
    for (const asset of ASSETS) {
      const body = readFileSync(asset.file);
      app.get(
        `/console/assets/${asset.path}`,
        { config: { access: 'public' } },
        async (_r, reply) =>
          reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(body),
      );
    }
  };
}
