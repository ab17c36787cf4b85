import { DEFAULT_ANSWER_TARGET_S } from './time.js';

/** Operator preferences; not secret, so localStorage (the API token is not kept here). */
export interface Settings {
  operatorId: string;
  answerTargetS: number;
  sound: boolean;
}

const KEY = 'anshin.console.settings';
export const DEFAULT_OPERATOR_ID = 'operator-1';

export function loadSettings(): Settings {
  // Issue 14: sound on by default (an overdue priority-1 call must be heard); it starts after the first gesture (lib/sound.ts).
  const defaults: Settings = { operatorId: DEFAULT_OPERATOR_ID, answerTargetS: DEFAULT_ANSWER_TARGET_S, sound: true };
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return defaults;
    return normalise({ ...defaults, ...(JSON.parse(raw) as Partial<Settings>) });
  } catch {
    return defaults;
  }
}

export function saveSettings(s: Settings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(normalise(s)));
  } catch {
    // Storage disabled: settings last as long as the page.
  }
}

/** Whether the operator id was ever chosen (the console asks once). */
export function hasSavedSettings(): boolean {
  try {
    return localStorage.getItem(KEY) !== null;
  } catch {
    return true;
  }
}

export function normalise(s: Settings): Settings {
  const target = Number(s.answerTargetS);
  return {
    operatorId: String(s.operatorId ?? '').trim().slice(0, 64) || DEFAULT_OPERATOR_ID,
    answerTargetS: Number.isFinite(target) ? Math.min(600, Math.max(1, Math.round(target))) : DEFAULT_ANSWER_TARGET_S,
    sound: s.sound === true,
  };
}
