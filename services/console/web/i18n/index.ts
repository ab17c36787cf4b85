import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ja } from './ja.js';
import { en, type Messages } from './messages.js';

export type Lang = 'ja' | 'en';
export const MESSAGES: Record<Lang, Messages> = { ja, en };
export type { Messages, AuthReason } from './messages.js';
export { en, ja };

const KEY = 'anshin.console.lang';

/**
 * The language to start in: the one the operator chose last (kept in localStorage), else the first of
 * the browser's languages (navigator.languages) that is Japanese or English, else Japanese (the centre's).
 */
export function detectLang(languages: readonly string[], stored: string | null): Lang {
  if (stored === 'ja' || stored === 'en') return stored;
  for (const l of languages) {
    const primary = l.toLowerCase().split('-')[0];
    if (primary === 'ja' || primary === 'en') return primary;
  }
  return 'ja';
}

export function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch {
    // storage disabled
  }
  const langs = typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  return detectLang(langs, stored);
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // storage disabled: the choice lasts as long as the page
  }
}

/** The operators are in Japan: every clock time is Japan time, with the zone written next to it. */
export const TIME_ZONE = 'Asia/Tokyo';
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dates: Record<Lang, Intl.DateTimeFormat> = {
  ja: new Intl.DateTimeFormat('ja-JP', { timeZone: TIME_ZONE, month: 'numeric', day: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: 'numeric', month: 'short' }),
};

/** `20:15:30 JST` for a contract time (UTC ISO) or epoch ms. */
export function jstTime(at: string | number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '—' : `${clock.format(d)} JST`;
}

/** `12/1 20:15:30 JST` (ja) or `1 Dec 20:15:30 JST` (en): for times that may be on another day. */
export function jstDateTime(at: string | number, lang: Lang): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '—' : `${dates[lang].format(d)} ${clock.format(d)} JST`;
}

export interface I18n {
  lang: Lang;
  m: Messages;
  setLang(lang: Lang): void;
}

export const I18nContext = createContext<I18n>({ lang: 'en', m: en, setLang: () => undefined });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
