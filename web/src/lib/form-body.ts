/**
 * Turns a form's controls, named by API field path (`awarded.amount`, `reportingPeriods.0.endsOn`),
 * into the JSON body the API expects. Numeric segments make arrays; an empty text is "not given".
 */

export type FormValue = string | number | boolean | readonly unknown[] | Record<string, unknown> | null;

const isIndex = (segment: string) => /^\d+$/.test(segment);

export const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const segments = path.split('.');
  let node: Record<string, unknown> | unknown[] = target;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const key: string | number = isIndex(segment) ? Number(segment) : segment;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = segments[i + 1] as string;
    container[key] ??= isIndex(next) ? [] : {};
    node = container[key] as Record<string, unknown> | unknown[];
  });
};

/** Arrays built from sparse indices (a removed row) are closed up. */
const compact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  }
  return value;
};

/** Entries whose value is an empty string are left out, so optional fields stay absent. */
export const bodyFromEntries = (entries: Iterable<readonly [string, FormValue | undefined]>) => {
  const body: Record<string, unknown> = {};
  for (const [name, raw] of entries) {
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === '') continue;
    setPath(body, name, value);
  }
  return compact(body) as Record<string, unknown>;
};

/** Lines of a textarea as a list, blank lines ignored (partners, one per line). */
export const linesOf = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

/** A list of whole numbers typed as "30, 14, 7"; anything that is not a number is passed on as typed
 * so the API names it. */
export const numberListOf = (text: string): (number | string)[] =>
  text
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (/^-?\d+$/.test(part) ? Number(part) : part));

/**
 * The fields of `edited` that differ from `original`, for a PATCH: changed values as they are now,
 * and `null` for an optional field that was cleared.
 */
export const changedFields = (
  original: Record<string, unknown>,
  edited: Record<string, unknown>,
  fields: readonly string[],
): Record<string, unknown> => {
  const patch: Record<string, unknown> = {};
  for (const field of fields) {
    const after = edited[field];
    if (canonical(original[field]) === canonical(after)) continue;
    patch[field] = after === undefined ? null : after;
  }
  return patch;
};

/** Equal values give equal text: keys sorted, and an empty list the same as nothing. */
const canonical = (value: unknown): string => {
  const normal = (v: unknown): unknown => {
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return null;
    if (Array.isArray(v)) return v.map(normal);
    if (typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, inner]) => inner !== undefined)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, inner]) => [k, normal(inner)]),
      );
    }
    return v;
  };
  return JSON.stringify(normal(value));
};

/**
 * An amount as people type it here (`665.462,50`, `665462,50`, `1 988 400`) in the API's form
 * (`665462.50`). Text that is no amount is passed on as typed, so the API's own message names it.
 */
export const normaliseAmount = (typed: string): string => {
  const text = typed.trim().replace(/[\s\u00a0]/g, '');
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(text)) return text.replace(/\./g, '').replace(',', '.');
  if (/^\d+,\d+$/.test(text)) return text.replace(',', '.');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) return text.replace(/,/g, '');
  return text;
};
