/**
 * Static files, all local (no CDN, no build step): htmx and uPlot straight from their packages in
 * node_modules, and the dashboard's own stylesheet and script from ./static. Read once, served
 * with a content hash as ETag.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

const FILES: Record<string, { path: string; type: string }> = {
  'htmx.min.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'dashboard.css': { path: fileURLToPath(new URL('./static/dashboard.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  'dashboard.js': { path: fileURLToPath(new URL('./static/dashboard.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
};

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  const loaded = new Map(Object.entries(FILES).map(([name, file]) => {
    const body = readFileSync(file.path);
    return [name, { body, type: file.type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }];
  }));
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const file = loaded.get(request.params.name);
    if (!file) return reply.code(404).type('text/plain').send('no such asset');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.type(file.type).header('etag', file.etag).header('cache-control', 'public, max-age=3600').send(file.body);
  });
}
