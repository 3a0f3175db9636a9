import { writeGeneratedFiles } from '../contract/write.ts';

/** `npm run docs:api`: regenerates docs/api/openapi.json, docs/api/asyncapi.json and the client's types from the zod schemas. */
const written = await writeGeneratedFiles(process.cwd());
for (const file of written) console.log(`wrote ${file}`);
