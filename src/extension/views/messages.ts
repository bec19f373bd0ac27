/**
 * Turns training events into host→webview messages. Pure, so the webview tests replay a recorded run
 * through exactly what the extension host sends.
 */
import type { GridImage, TrainEvent } from '../../runtime/events';
import { gridPayloadFromImage, type DashboardToWebview } from '../../protocol';

/**
 * A live event as the views receive it: a samples event loses its pixels, which travel in their own `grid`
 * message (a webview keeps only the latest grids as pixels and asks for older ones by step).
 */
export function liveEventMessages(runId: string, event: TrainEvent): DashboardToWebview[] {
  if (event.event !== 'samples' || !event.grid) return [{ type: 'event', runId, event }];
  const { grid, ...rest } = event;
  return [
    { type: 'event', runId, event: rest },
    { type: 'grid', runId, step: event.step, image: gridPayloadFromImage(grid as GridImage) },
  ];
}
