import type { Language } from '../format';

/**
 * The runtime configuration the stack writes at /config.json: one build serves every stage, so
 * nothing here is a build-time constant. Read once, before the first render.
 */

export type SignInConfig =
  | { readonly mode: 'dev' }
  | {
      readonly mode: 'cognito';
      readonly authority: string;
      readonly domain: string;
      readonly clientId: string;
      readonly redirectUri: string;
      readonly logoutUri: string;
    };

export interface RuntimeConfig {
  readonly apiBaseUrl: string;
  readonly signIn: SignInConfig;
  readonly defaultLanguage: Language;
}

const fail = (what: string): never => {
  throw new Error(`/config.json is not usable: ${what}`);
};

export const parseConfig = (raw: unknown): RuntimeConfig => {
  if (typeof raw !== 'object' || raw === null) return fail('not a JSON object');
  const value = raw as Record<string, unknown>;
  const signIn = value.signIn as Record<string, unknown> | undefined;
  if (typeof value.apiBaseUrl !== 'string') fail('apiBaseUrl is missing');
  if (signIn?.mode === 'cognito') {
    for (const key of ['authority', 'domain', 'clientId', 'redirectUri', 'logoutUri']) {
      if (typeof signIn[key] !== 'string' || signIn[key] === '') fail(`signIn.${key} is missing`);
    }
  } else if (signIn?.mode !== 'dev') {
    fail('signIn.mode must be dev or cognito');
  }
  const language = value.defaultLanguage === 'en' ? 'en' : 'da';
  return {
    apiBaseUrl: (value.apiBaseUrl as string).replace(/\/$/, ''),
    signIn: signIn as unknown as SignInConfig,
    defaultLanguage: language,
  };
};

export const loadConfig = async (): Promise<RuntimeConfig> => {
  const response = await fetch('/config.json', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  return parseConfig(await response.json());
};
