import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LocalEndpoint } from './http-gateway.ts';

/**
 * The twin's pages for client developers: the API reference at /local/docs (Swagger UI for
 * openapi.json, the AsyncAPI React component's standalone bundle for asyncapi.json, both from
 * node_modules: nothing is fetched from a CDN) and the live console at /local/console (bundled
 * with esbuild on first request, so twin startup does not wait for it).
 */
const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

function fileEndpoint(file: () => string): LocalEndpoint {
  let cached: Promise<string> | undefined;
  return async () => {
    cached ??= readFile(file(), 'utf8');
    return { status: 200, body: await cached, headers: { 'content-type': TYPES[path.extname(file())] ?? 'application/octet-stream', 'cache-control': 'no-cache' } };
  };
}

/** The console's script: one esbuild bundle of console/app.ts (with the typed client), built once per twin. */
function consoleBundle(): LocalEndpoint {
  let built: Promise<string> | undefined;
  return async () => {
    built ??= import('esbuild').then(async (esbuild) => {
      const result = await esbuild.build({
        entryPoints: [path.join(root, 'console/app.ts')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        minify: false,
        logLevel: 'silent',
      });
      return result.outputFiles[0]!.text;
    });
    built.catch(() => (built = undefined));
    return { status: 200, body: await built, headers: { 'content-type': TYPES['.js']!, 'cache-control': 'no-cache' } };
  };
}

export function devPageEndpoints(): Record<string, LocalEndpoint> {
  const swagger = () => packageDir('swagger-ui-dist');
  const asyncapi = () => packageDir('@asyncapi/react-component');
  const docsPage = fileEndpoint(() => path.join(root, 'local/pages/docs.html'));
  const consolePage = fileEndpoint(() => path.join(root, 'console/index.html'));
  return {
    'GET /local/docs': docsPage,
    'GET /local/docs/openapi.json': fileEndpoint(() => path.join(root, 'docs/api/openapi.json')),
    'GET /local/docs/asyncapi.json': fileEndpoint(() => path.join(root, 'docs/api/asyncapi.json')),
    'GET /local/docs/swagger-ui.css': fileEndpoint(() => path.join(swagger(), 'swagger-ui.css')),
    'GET /local/docs/swagger-ui-bundle.js': fileEndpoint(() => path.join(swagger(), 'swagger-ui-bundle.js')),
    'GET /local/docs/asyncapi.js': fileEndpoint(() => path.join(asyncapi(), 'browser/standalone/index.js')),
    'GET /local/docs/asyncapi.css': fileEndpoint(() => path.join(asyncapi(), 'styles/default.min.css')),
    'GET /local/console': consolePage,
    'GET /local/console/app.js': consoleBundle(),
    'GET /local/console/app.css': fileEndpoint(() => path.join(root, 'console/app.css')),
  };
}
