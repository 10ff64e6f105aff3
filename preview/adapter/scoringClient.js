/**
 * The preview's stand-in for the Apex callout: POST /v1/models/{model}/score on the running service with
 * the API key, which stays on the server (the browser never sees it).
 */

class ScoringUnavailableError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ScoringUnavailableError';
    this.status = status;
  }
}

function createScoringClient({
  serviceUrl,
  apiKey,
  model = 'lead-scoring',
  version = 'champion',
  topReasons = 5,
  timeoutMs = 10000,
}) {
  if (!serviceUrl) throw new Error('preview: serviceUrl is required (the scoring service base URL).');
  if (!apiKey) throw new Error('preview: apiKey is required (a key from SCORING_API_KEYS).');
  const endpoint = new URL(
    `v1/models/${encodeURIComponent(model)}/score`,
    serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`,
  );

  /**
   * Scores records; resolves to the service's response body.
   * @param {{id: string, inputs: object}[]} records
   */
  async function score(records) {
    let response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ version, explain: { top: topReasons }, records }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const why = error && error.name === 'TimeoutError' ? 'timed out' : 'not reachable';
      throw new ScoringUnavailableError(
        `The scoring service is unavailable (${why}). The last stored score is shown.`,
        503,
      );
    }
    if (!response.ok) {
      // The problem title is safe to show; details may echo inputs, so they stay out of the message.
      const problem = await response.json().catch(() => ({}));
      const title = typeof problem.title === 'string' ? `: ${problem.title}` : '';
      throw new ScoringUnavailableError(
        `The scoring service refused the request (HTTP ${response.status}${title}).`,
        502,
      );
    }
    return response.json();
  }

  return { score, model };
}

module.exports = { createScoringClient, ScoringUnavailableError };
