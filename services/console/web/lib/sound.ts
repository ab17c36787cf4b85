/**
 * A two-tone alert for priority 1 (a new case, or one ringing past its answer target), synthesised with
 * WebAudio (no audio file to download). Browsers start an AudioContext only after a user gesture, so
 * `unlockSound()` runs on the first click or key of the page (the login counts), and on the settings toggle.
 */
let ctx: AudioContext | null = null;
const listeners = new Set<() => void>();

export function unlockSound(): void {
  try {
    ctx ??= new AudioContext();
    void ctx.resume().then(() => listeners.forEach((l) => l()));
  } catch {
    // No WebAudio: the visual alert and the ARIA announcement remain.
  }
}

/** Whether the browser lets the page play sound yet. */
export function soundReady(): boolean {
  return ctx?.state === 'running';
}

/** Unlocks on the first user gesture; calls `onReady` when the sound can play. */
export function unlockOnFirstGesture(onReady: () => void): () => void {
  listeners.add(onReady);
  const once = () => {
    unlockSound();
    document.removeEventListener('pointerdown', once, true);
    document.removeEventListener('keydown', once, true);
  };
  document.addEventListener('pointerdown', once, true);
  document.addEventListener('keydown', once, true);
  return () => {
    listeners.delete(onReady);
    document.removeEventListener('pointerdown', once, true);
    document.removeEventListener('keydown', once, true);
  };
}

export function playAlert(): void {
  if (!ctx || ctx.state !== 'running') return;
  const t0 = ctx.currentTime;
  [880, 660, 880].forEach((freq, i) => {
    const osc = ctx!.createOscillator();
    const gain = ctx!.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const start = t0 + i * 0.22;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
    osc.connect(gain).connect(ctx!.destination);
    osc.start(start);
    osc.stop(start + 0.21);
  });
}
