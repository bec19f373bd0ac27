/**
 * The side view's timeline player: one run's fixed-noise grids shown in turn (Play/Pause, a slider, the
 * step), and "Save as GIF", which only asks the host (it picks the file with a save dialog and writes it).
 *
 * Its elements are made once and moved into the "Over time" tab on each render, so a rescan of the
 * workspace (a new PNG arrives every few seconds while a run trains) neither stops playback nor loses the
 * frame it is on.
 */
import type { GridRef, SamplesToWebview } from '../../src/protocol';
import { button, setDisabled } from '../shared/toolkit';
import { el } from '../shared/dom';

/** Frames per second of Play; the GIF's own rate is the host's (dcgan-studio animate's default). */
export const PLAY_FPS = 4;

type GifSaved = Extract<SamplesToWebview, { type: 'gifSaved' }>;

export class TimelinePlayer {
  readonly root: HTMLElement;
  private readonly img = el('img', { class: 'pixelated grid-img', alt: 'sample grid', 'data-testid': 'player-img' });
  private readonly playButton = button('Play', { appearance: 'primary', testId: 'play', title: `Play the grids in order, ${PLAY_FPS} per second` });
  private readonly gifButton = button('Save as GIF', { appearance: 'secondary', testId: 'save-gif', title: 'Write the grids as an animated GIF (you pick the file)' });
  private readonly slider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', 'data-testid': 'player-slider', 'aria-label': 'Timeline step' });
  private readonly label = el('span', { class: 'muted', 'data-testid': 'player-step' });
  private readonly gifStatus = el('p', { class: 'muted', 'data-testid': 'gif-status', hidden: '' });
  private runId: string | undefined;
  private grids: readonly GridRef[] = [];
  /** Index into `grids`; null follows the latest grid. */
  private index: number | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** A saveGif request is out; the button stays off until the host answers. */
  private saving = false;

  constructor(private readonly saveGif: (runId: string) => void) {
    this.root = el('div', { class: 'player', 'data-testid': 'player' },
      el('div', { class: 'player-frame' }, this.img),
      el('div', { class: 'player-controls' }, this.playButton, this.slider, this.label),
      el('div', { class: 'player-controls' }, this.gifButton),
      this.gifStatus);
    this.playButton.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    this.slider.addEventListener('input', () => {
      this.pause();
      const i = Number(this.slider.value);
      this.index = i >= this.grids.length - 1 ? null : i;
      this.draw();
    });
    this.gifButton.addEventListener('click', () => {
      if (!this.runId || this.gifButton.hasAttribute('disabled')) return;
      this.saving = true;
      setDisabled(this.gifButton, true);
      this.status('Choose where to save the GIF…');
      this.saveGif(this.runId);
    });
  }

  get playing(): boolean {
    return this.timer !== undefined;
  }

  /** Shows `runId`'s grids; keeps the frame and playback when it is the same run (a rescan). */
  show(runId: string, grids: readonly GridRef[]): void {
    if (runId !== this.runId) {
      this.pause();
      this.index = null;
      this.gifStatus.hidden = true;
      this.saving = false;
    }
    this.runId = runId;
    this.grids = grids;
    if (this.index !== null && this.index >= grids.length) this.index = null;
    setDisabled(this.playButton, grids.length < 2);
    setDisabled(this.gifButton, grids.length === 0 || this.saving);
    this.draw();
  }

  play(): void {
    if (this.grids.length < 2 || this.playing) return;
    // From the start when at the end, as a video player does.
    if (this.index === null || this.index >= this.grids.length - 1) this.index = 0;
    this.playButton.textContent = 'Pause';
    this.timer = setInterval(() => this.tick(), 1000 / PLAY_FPS);
    this.draw();
  }

  pause(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.playButton.textContent = 'Play';
  }

  gifSaved(m: GifSaved): void {
    if (m.runId !== this.runId) return;
    this.saving = false;
    setDisabled(this.gifButton, false);
    if (m.ok) this.status(`Saved ${m.frames ?? '?'} frames to ${m.file ?? 'the file'}.`);
    else this.status(m.message ?? 'The GIF was not saved.');
  }

  private status(text: string): void {
    this.gifStatus.textContent = text;
    this.gifStatus.hidden = false;
  }

  private tick(): void {
    const last = this.grids.length - 1;
    const i = (this.index ?? last) + 1;
    if (i >= last) {
      this.index = null;
      this.pause();
    } else {
      this.index = i;
    }
    this.draw();
  }

  private draw(): void {
    const n = this.grids.length;
    this.slider.max = String(Math.max(0, n - 1));
    if (n === 0) { this.label.textContent = 'no grids yet'; this.img.removeAttribute('src'); return; }
    const i = this.index ?? n - 1;
    this.slider.value = String(i);
    const g = this.grids[i];
    this.label.textContent = `step ${g.step} · ${i + 1} of ${n}${this.index === null && !this.playing ? ' (latest)' : ''}`;
    if (g.uri && this.img.getAttribute('src') !== g.uri) this.img.src = g.uri;
    this.img.dataset.step = String(g.step);
  }
}
