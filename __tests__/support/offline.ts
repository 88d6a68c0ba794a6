import {
  proveStack,
  requireOfflineTools,
  synthAll,
  type StackProof,
} from '../../scripts/offline-proof';

/** Under CI=true missing terraform or mirror throws (a failure); elsewhere the offline tests skip with a note. */
export const offlineTools = requireOfflineTools();
if (!offlineTools)
  console.warn('offline Terraform proof skipped here: terraform or the provider mirror is missing');

export const describeOffline = offlineTools ? describe : describe.skip;

/** Synthesizes the built app (dist/main.js) and runs init, validate, plan and show for one stack. */
export async function offlineProof(stack: string): Promise<StackProof> {
  if (!offlineTools) throw new Error('offline tools missing');
  return proveStack(offlineTools, await synthAll(), stack);
}
