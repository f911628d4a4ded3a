import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import iconv from 'iconv-lite';
import type { Windows1252Decoder } from './csv';
import type { ImportFile } from './files';

/**
 * The Node side of the importer: files and folders from disk, and a Windows-1252 decoder. Node's
 * own TextDecoder reads "windows-1252" as Latin-1 (see csv.ts); iconv-lite reads it as Excel
 * writes it.
 */

export const decodeWindows1252: Windows1252Decoder = (bytes) => iconv.decode(bytes, 'windows-1252');

export class UnreadablePathError extends Error {
  override name = 'UnreadablePathError';
}

const filesUnder = async (dir: string, root: string): Promise<ImportFile[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => !entry.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (entry): Promise<ImportFile[]> => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return filesUnder(path, root);
        if (!entry.isFile() || !/\.(csv|zip)$/i.test(entry.name)) return [];
        return [{ name: relative(root, path).split('\\').join('/'), bytes: await readFile(path) }];
      }),
  );
  return nested.flat();
};

/**
 * The files at the given paths: a file as itself (named by its base name), a folder as every CSV
 * and zip inside it, at any depth (named by their path inside the folder: "csv/project.csv").
 */
export const readImportFiles = async (paths: readonly string[]): Promise<ImportFile[]> => {
  const read = await Promise.all(
    paths.map(async (path) => {
      const info = await stat(path).catch((error: Error) => {
        throw new UnreadablePathError(`${path} cannot be read: ${error.message}`);
      });
      if (info.isDirectory()) {
        const files = await filesUnder(path, path);
        if (!files.length) throw new UnreadablePathError(`${path} holds no CSV or zip file.`);
        return files;
      }
      return [{ name: basename(path), bytes: await readFile(path) }];
    }),
  );
  return read.flat();
};
