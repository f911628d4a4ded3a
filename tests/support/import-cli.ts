import { execFile } from 'node:child_process';
import { expect } from 'vitest';
import type { GrantDto } from '../../lib/domain/schemas';

/** One `npm run import` in its own process, as a LEAR administrator runs it. */
export interface ImportRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line of stdout: the summary as JSON ({} when there is none: the test looks at stderr). */
  readonly summary: Record<string, number | boolean>;
}

export const runImportCli = (
  args: readonly string[],
  options: { readonly env?: Record<string, string>; readonly timeoutMs?: number } = {},
): Promise<ImportRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'lib/import/cli.ts', ...args],
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        let summary: ImportRun['summary'] = {};
        try {
          summary = JSON.parse(stdout.trim().split('\n').pop() ?? '');
        } catch {
          // no summary
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, summary });
      },
    );
  });

/** Reads the register back through the API, as the import tests check what an import wrote. */
export const registerReader = (target: () => { readonly apiUrl: string; readonly token: string }) => {
  const get = async <T>(path: string): Promise<T> => {
    const { apiUrl, token } = target();
    const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const allGrants = async (): Promise<GrantDto[]> => {
    const grants: GrantDto[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: GrantDto[]; nextCursor: string | null } = await get(
        `/grants?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      grants.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return grants;
  };
  const byAcronym = async (acronym: string): Promise<GrantDto> => {
    const listed = (await allGrants()).find((g) => g.acronym === acronym);
    if (!listed) throw new Error(`${acronym} is not in the register`);
    return get<GrantDto>(`/grants/${listed.grantId}`);
  };
  const versions = async () =>
    Object.fromEntries((await allGrants()).map((g) => [g.grantId, g.version] as const));
  return { get, allGrants, byAcronym, versions };
};
