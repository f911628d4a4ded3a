import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The importer's core runs in the browser (the import page plans and applies with it): bundled for
 * the browser it pulls in no Node module, nor iconv-lite (which needs a Buffer polyfill there).
 */
describe('the importer core in the browser', () => {
  it('bundles for the browser without Node modules or iconv-lite', async () => {
    const result = await build({
      entryPoints: ['lib/import/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Loaded with import() only when a workbook is read.
      external: ['exceljs'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('lib/import/index.ts');
    expect(
      inputs.filter((input) => /^node:|iconv-lite|safer-buffer|lib\/import\/node\.ts/.test(input)),
    ).toEqual([]);
    expect(result.errors).toEqual([]);
  });
});
