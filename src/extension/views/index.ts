/** The views' API for the rest of the extension (activate() and the commands). */
export { DashboardPanel, registerDashboardSerializer, webviewOptions } from './dashboardPanel';
export { SamplesViewProvider, registerSamplesView } from './samplesView';
export type { LiveRun, ViewServices } from './services';
export { ComparePanel, registerCompareSerializer } from './comparePanel';
