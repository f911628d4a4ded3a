/** A plain-text table: the first row is the header, numbers are right-aligned. */
export const table = (title: string, rows: readonly (readonly (string | number)[])[]): string => {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = cells.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  const numeric = (rows[1] ?? []).map((cell) => typeof cell === 'number');
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = cells;
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`\n${title}`, line(header ?? []), rule, ...body.map(line)].join('\n');
};

export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

export const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
