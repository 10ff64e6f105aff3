/**
 * Calls the preview server's stand-in for an @AuraEnabled Apex method. Failures reject with the same
 * shape Lightning gives components for an AuraHandledException: { body: { message }, status, statusText }.
 */
export async function callApex(method, params) {
  let response;
  try {
    response = await fetch(`api/apex/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params || {}),
    });
  } catch (error) {
    throw { body: { message: 'The preview server did not answer.' }, status: 0, statusText: String(error) };
  }
  const body = await response.json().catch(() => ({ message: `HTTP ${response.status}` }));
  if (!response.ok) {
    throw { body, ok: false, status: response.status, statusText: response.statusText };
  }
  return body;
}
