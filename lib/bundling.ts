import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every handler is bundled: by the project's own esbuild (never Docker), minified, as ESM (the
 * handlers' dependencies include ESM-only packages), with a source map Node applies to stack traces.
 * The AWS SDK is bundled from the lock file rather than taken from the runtime; docs/deploy.md has
 * the measurements behind that choice.
 */
export function bundlingOptions(): BundlingOptions {
  return {
    minify: true,
    sourceMap: true,
    // Stack traces need only the mappings; the sources themselves are already in the repository.
    sourcesContent: false,
    target: 'node24',
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    bundleAwsSDK: true,
    forceDockerBundling: false,
  };
}
