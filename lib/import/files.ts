import { unzipSync } from 'fflate';
import { SheetError } from './csv';

/**
 * Files as the importer receives them, wherever they come from: read from disk by the CLI, picked
 * in the browser, or unpacked from a zip. `name` is what errors call the file; for a zip's entries
 * it is the zip's name and the entry's path ("cordis-h2020projects-csv.zip/csv/organization.csv").
 */
export interface ImportFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
export const isZip = (bytes: Uint8Array) => ZIP.every((b, i) => bytes[i] === b);

/** An Excel workbook is a zip too; it is told apart by the parts every workbook has. */
const isWorkbook = (entries: readonly string[]) =>
  entries.includes('[Content_Types].xml') && entries.some((e) => e.startsWith('xl/'));

export const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/**
 * Zips other than workbooks are replaced by their CSV entries (folders inside kept in the name);
 * everything else is passed on as it is. Only `.csv` entries are unpacked: a CORDIS download also
 * holds XML and JSON nobody here reads.
 */
export const expandZips = (files: readonly ImportFile[]): ImportFile[] =>
  files.flatMap((file) => {
    if (!isZip(file.bytes)) return [file];
    let entries: Record<string, Uint8Array>;
    try {
      const names: string[] = [];
      unzipSync(file.bytes, {
        filter: (entry) => {
          names.push(entry.name);
          return false;
        },
      });
      if (isWorkbook(names)) return [file];
      entries = unzipSync(file.bytes, {
        filter: (entry) => !entry.name.endsWith('/') && /\.csv$/i.test(entry.name),
      });
    } catch (error) {
      throw new SheetError(`${file.name} is not a zip file that can be read: ${(error as Error).message}`);
    }
    return Object.entries(entries)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([entry, bytes]) => ({ name: `${file.name}/${entry}`, bytes }));
  });
