/** A short two-tone cue through WebAudio (no sound file to load); silent where audio is blocked. */
let context: AudioContext | null = null;

export function beep(): void {
	try {
		context ??= new AudioContext();
		const t = context.currentTime;
		for (const [i, freq] of [880, 660].entries()) {
			const osc = context.createOscillator();
			const gain = context.createGain();
			osc.frequency.value = freq;
			gain.gain.setValueAtTime(0.0001, t + i * 0.18);
			gain.gain.exponentialRampToValueAtTime(0.2, t + i * 0.18 + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
			osc.connect(gain).connect(context.destination);
			osc.start(t + i * 0.18);
			osc.stop(t + i * 0.18 + 0.17);
		}
	} catch {
		// autoplay policy or no audio device: the visual cue remains
	}
}
