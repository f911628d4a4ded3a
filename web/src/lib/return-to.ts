/** Where to go after signing in: only paths of the app itself. */
export const safeReturnTo = (value: string | null | undefined): string =>
  value && /^\/app(\/|$)/.test(value) && !value.startsWith('//') ? value : '/app/';
