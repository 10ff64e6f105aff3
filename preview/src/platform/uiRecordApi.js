/**
 * Preview stand-in for lightning/uiRecordApi. The preview has no Lightning Data Service, so
 * notifyRecordUpdateAvailable only records which records the card said changed (the browser test reads
 * window.__recordUpdates) and resolves, as the platform's does once LDS has re-read them.
 */
export function notifyRecordUpdateAvailable(items) {
  const log = (window.__recordUpdates = window.__recordUpdates || []);
  for (const item of items || []) log.push(item.recordId);
  return Promise.resolve();
}
