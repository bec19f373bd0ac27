/**
 * ALL use of @vscode/webview-ui-toolkit lives in this module.
 *
 * The toolkit was deprecated upstream on 2025-01-01 and its repository archived; the maintained successor is
 * @vscode-elements/elements (Lit). We use the toolkit because the product asked for it; keeping it behind this
 * one file means a switch touches the element names registered here and nothing else.
 *
 * Components used by the views: vscode-button, vscode-divider, vscode-progress-ring, vscode-dropdown +
 * vscode-option, vscode-panels (+ panel-tab, panel-view), vscode-checkbox.
 *
 * Not vscode-badge: its template binds a `style="…"` attribute, which the views' CSP blocks (style-src-attr,
 * no 'unsafe-inline'), so `badge()` below draws the same look with the --vscode-badge-* colours in our CSS.
 * The toolkit's own dynamic styles get the page's nonce from <meta property="csp-nonce"> (see html.ts).
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
    vsCodeProgressRing(),
  );
}

/** Element helpers, so view code never spells a toolkit tag name. */
export function button(label: string, opts: { appearance?: 'primary' | 'secondary' | 'icon'; testId?: string; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (opts.appearance) b.setAttribute('appearance', opts.appearance);
  if (opts.testId) b.dataset.testid = opts.testId;
  if (opts.title) b.title = opts.title;
  return b;
}

export function badge(text: string): HTMLElement {
  const b = document.createElement('span');
  b.className = 'badge';
  b.textContent = text;
  return b;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export function progressRing(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}

/** A dropdown whose `value` is read back with `dropdownValue`. */
export function dropdown(options: readonly { value: string; label: string }[], selected?: string, testId?: string): HTMLElement {
  const d = document.createElement('vscode-dropdown');
  if (testId) d.dataset.testid = testId;
  for (const o of options) {
    const opt = document.createElement('vscode-option');
    opt.setAttribute('value', o.value);
    opt.textContent = o.label;
    if (o.value === selected) opt.setAttribute('selected', '');
    d.append(opt);
  }
  return d;
}

export function dropdownValue(d: HTMLElement): string {
  return (d as HTMLElement & { value: string }).value;
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
}

/** Tabs: returns the container and one view element per tab, in order. */
export function panels(tabs: readonly { id: string; label: string }[]): { root: HTMLElement; views: HTMLElement[] } {
  const root = document.createElement('vscode-panels');
  const views: HTMLElement[] = [];
  for (const t of tabs) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${t.id}`;
    tab.textContent = t.label;
    root.append(tab);
  }
  for (const t of tabs) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${t.id}`;
    root.append(view);
    views.push(view);
  }
  return { root, views };
}

/** A checkbox; read it back with `isChecked`, listen for 'change'. */
export function checkbox(label: string, checked: boolean, opts: { testId?: string; value?: string } = {}): HTMLElement {
  const c = document.createElement('vscode-checkbox');
  c.textContent = label;
  if (checked) c.setAttribute('checked', '');
  if (opts.testId) c.dataset.testid = opts.testId;
  if (opts.value !== undefined) c.setAttribute('value', opts.value);
  return c;
}

export function isChecked(el: HTMLElement): boolean {
  return (el as HTMLElement & { checked: boolean }).checked === true;
}
