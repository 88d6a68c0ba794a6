import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A handler's deployment package: a zip on disk and the base64 SHA-256 of its bytes. */
export interface FunctionCode {
  readonly zipPath: string;
  readonly sha256Base64: string;
  /**
   * 'directory' makes cdktf zip the folder at synth time (an ARCHIVE asset): the usual way, kept only
   * as the benchmark's baseline. @default 'zip'
   */
  readonly kind?: 'zip' | 'directory';
}

/** Finds a handler's zip by asset name; tests swap in one that never runs esbuild. */
export interface CodeSource {
  code(assetName: string): FunctionCode;
}

export class MissingBundleError extends Error {
  constructor(zipPath: string) {
    super(`handler bundle ${zipPath} is missing: run "npm run build" before synth`);
    this.name = 'MissingBundleError';
  }
}

/** Zips the build step wrote to dist/assets; hashing the bytes here keeps source_code_hash honest. */
export class PrebuiltCodeSource implements CodeSource {
  private readonly cache = new Map<string, FunctionCode>();

  constructor(private readonly assetsDir: string) {}

  code(assetName: string): FunctionCode {
    const cached = this.cache.get(assetName);
    if (cached) return cached;
    const zipPath = join(this.assetsDir, `${assetName}.zip`);
    if (!existsSync(zipPath)) throw new MissingBundleError(zipPath);
    const code = {
      zipPath,
      sha256Base64: createHash('sha256').update(readFileSync(zipPath)).digest('base64'),
    };
    this.cache.set(assetName, code);
    return code;
  }
}
