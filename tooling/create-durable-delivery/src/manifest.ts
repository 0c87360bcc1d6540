import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options as PrettierOptions } from 'prettier';

/** A local port of the app, as the template's ports file names it. */
export interface PortDefinition {
  readonly port: number;
  readonly description: string;
}

/**
 * What the package knows of the app it carries, written at pack time next to the archive of its files. Everything
 * here is derived from the repository then (its tracked files, its ports file, its workspace packages' scope), so
 * the scaffold names no package, file or port of today's app.
 */
export interface TemplateManifest {
  /** This package's version, and the commit of the repository it was packed from. */
  readonly version: string;
  readonly commit: string;
  /** The npm scope every workspace package is named in, without "@": `durable-delivery`. */
  readonly scope: string;
  /** The root package's name. */
  readonly name: string;
  /** The template's ports file (a path in the archive) and its ports, by name, in its order. */
  readonly portsFile: string;
  readonly ports: Readonly<Record<string, PortDefinition>>;
  /** The repository's Prettier options, resolved at pack time, to format what the scaffold rewrites. */
  readonly prettier: PrettierOptions;
  /** Every file in the archive, relative, with "/" separators. */
  readonly files: readonly string[];
}

/** The folder of the package's template, beside dist/ (dist/manifest.js → ../template). */
export const TEMPLATE_DIR = join(__dirname, '..', 'template');
export const MANIFEST_FILE = 'manifest.json';
export const ARCHIVE_FILE = 'files.tar.gz';

export function readManifest(templateDir = TEMPLATE_DIR): TemplateManifest {
  let raw: string;
  try {
    raw = readFileSync(join(templateDir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `This copy of create-durable-delivery carries no template (${templateDir} is missing). It is made when the ` +
          'package is packed: run `pnpm pack` in tooling/create-durable-delivery, then run the packed tarball.',
        { cause: error },
      );
    }
    throw error;
  }
  return JSON.parse(raw) as TemplateManifest;
}
