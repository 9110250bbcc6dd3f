import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zhCN from './zh-CN.json';

/** LANG_KEY is the localStorage key that remembers the chosen language. */
export const LANG_KEY = 'oneretail.lang';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** storedLanguage returns the remembered language, zh-CN by default. */
export function storedLanguage(): Language {
  try {
    const v = window.localStorage.getItem(LANG_KEY);
    return v === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** setLanguage switches the console's language and remembers it. */
export function setLanguage(lang: Language): Promise<unknown> {
  try {
    window.localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Private mode or storage disabled: the switch lasts for this page only.
  }
  return i18n.changeLanguage(lang);
}

/** currentLanguage is the language in use, narrowed to the supported ones. */
export function currentLanguage(): Language {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

i18n.on('languageChanged', (lng) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
});

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: zhCN },
    en: { translation: en },
  },
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  initAsync: false,
});

export default i18n;
