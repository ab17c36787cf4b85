/**
 * A two-tone alert for a new priority-1 case, synthesised with WebAudio (no audio file to download).
 * Browsers start an AudioContext only after a user gesture, so `unlock()` runs on the settings toggle.
 */
let ctx: AudioContext | null = null;

export function unlockSound(): void {
  ctx ??= new AudioContext();
  void ctx.resume();
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
