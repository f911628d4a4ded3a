import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Language } from '../format';

/**
 * Danish first, English a click away. One catalogue per page group and language
 * (`locales/<language>/<namespace>.json`); a new file is picked up without touching this module.
 * The chosen language is remembered (a preference, not a secret).
 */

const catalogues = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', {
  eager: true,
});

const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [path, module] of Object.entries(catalogues)) {
  const match = /\.\/locales\/([a-z]{2})\/([\w-]+)\.json$/.exec(path);
  if (!match) continue;
  const [, language, namespace] = match as unknown as [string, string, string];
  resources[language] = { ...resources[language], [namespace]: module.default };
}

export const LANGUAGES: readonly Language[] = ['da', 'en'];
const PREFERENCE_KEY = 'funding-tracker.language';

export const initI18n = async (defaultLanguage: Language) => {
  const saved = localStorage.getItem(PREFERENCE_KEY);
  const language = LANGUAGES.includes(saved as Language) ? (saved as Language) : defaultLanguage;
  await i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'da',
    ns: Object.keys(resources.da ?? {}),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language;
  return i18next;
};

export const changeLanguage = async (language: Language) => {
  localStorage.setItem(PREFERENCE_KEY, language);
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
};

export const currentLanguage = (): Language => (i18next.language === 'en' ? 'en' : 'da');

/** The language in use, re-rendering when it changes. */
export const useLanguage = (): Language => {
  const { i18n } = useTranslation();
  return i18n.language === 'en' ? 'en' : 'da';
};
