import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { asyncApiDocument } from './asyncapi.ts';
import { openApiDocument } from './openapi.ts';
import { clientTypesSource } from './client-types.ts';

/** What `npm run docs:api` writes, by path from the repository root; a test compares it with the committed files. */
export async function generatedFiles(): Promise<Record<string, string>> {
  const openapi = openApiDocument();
  const asyncapi = asyncApiDocument();
  return {
    'docs/api/openapi.json': `${JSON.stringify(openapi, null, 2)}\n`,
    'docs/api/asyncapi.json': `${JSON.stringify(asyncapi, null, 2)}\n`,
    'client/src/generated/api-types.ts': await clientTypesSource(openapi, asyncapi),
  };
}

export async function writeGeneratedFiles(root: string): Promise<string[]> {
  const files = await generatedFiles();
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return Object.keys(files);
}
