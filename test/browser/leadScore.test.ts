/**
 * The lead score components in a real browser: Debian's Chromium shows the off-platform preview
 * (the same component sources compiled with LWC OSS), whose Apex stand-ins call the real scoring service.
 * Needs `npm run build` (service, and the page via build:preview); the page is built here if it is missing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { isBuilt, startPreview, type RunningPreview } from '../../preview/server';
import { launchChromium } from './support/chromium';
import { startScoringService, type RunningService } from './support/scoringService';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SAMPLE_LEADS, toModelInputs } = require('../../preview/sampleLeads') as {
  SAMPLE_LEADS: { id: string; name: string; inputs: Record<string, unknown> }[];
  toModelInputs(raw: Record<string, unknown>, at: number): Record<string, unknown>;
};

const HOT_ID = '00Q5g00000PrvHot1';
const COLD_ID = '00Q5g00000PrvCld1';
const NEW_ID = '00Q5g00000PrvNew1';
const REPO = path.resolve(__dirname, '../..');
// Each step waits on a real browser and service; the project-level testTimeout is not applied to projects by jest 29.
jest.setTimeout(120_000);
// Screenshots for the README are refreshed with UPDATE_SCREENSHOTS=1; ordinary runs write to a temp folder.
const SHOT_DIR =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(REPO, 'docs/images')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'lead-score-shots-'));

interface Reason {
  input: string;
  label: string;
  contribution: number;
  direction: 'raises' | 'lowers';
  text: string;
}
interface ScoreResult {
  id: string;
  version: string;
  score: number;
  scaled: number;
  decile: number;
  tier: string;
  explanation: { base: number; reasons: Reason[] };
}

let service: RunningService;
let preview: RunningPreview;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

/** What the service says about a sample lead right now, asked directly (not through the preview). */
async function scoreDirectly(leadId: string): Promise<ScoreResult> {
  const lead = SAMPLE_LEADS.find((l) => l.id === leadId)!;
  const response = await fetch(`${service.url}/v1/models/lead-scoring/score`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${service.apiKey}` },
    body: JSON.stringify({
      version: 'champion',
      explain: { top: 5 },
      records: [{ id: leadId, inputs: toModelInputs(lead.inputs, Date.now()) }],
    }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { results: ScoreResult[] };
  return body.results[0];
}

async function openLead(leadId: string): Promise<void> {
  await page.goto(`${preview.url}?lead=${leadId}`);
  await page
    .locator('c-lead-score [data-id="ring"], c-lead-score [data-id="never-scored"]')
    .first()
    .waitFor({ timeout: 30000 });
}

const ringLabel = () => page.locator('c-lead-score [data-id="ring"]').getAttribute('aria-label');
const reasonTexts = (group: 'raises' | 'lowers') =>
  page.locator(`c-lead-score section[data-id="${group}"] [data-id="reason-text"]`).allTextContents();
async function trendCount(): Promise<number> {
  const caption = await page.locator('c-lead-score [data-id="trend-caption"]').textContent();
  return Number(/over (\d+) scorings/.exec(caption ?? '')?.[1]);
}

beforeAll(async () => {
  // `npm run build` builds the page; a checkout where only the service was built gets it built here.
  if (!isBuilt())
    execFileSync(
      process.execPath,
      [require.resolve('rollup/dist/bin/rollup'), '-c', 'preview/rollup.config.mjs', '--silent'],
      { cwd: REPO, stdio: 'inherit' },
    );
  service = await startScoringService();
  preview = await startPreview({ port: 0, serviceUrl: service.url, apiKey: service.apiKey });
  const outcomes = await preview.seeded;
  expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await preview?.close();
  await service?.stop();
}, 60_000);

describe('lead score card in Chromium, backed by the real scoring service', () => {
  test('shows the score, tier and decile the service gives the hot sample lead', async () => {
    const expected = await scoreDirectly(HOT_ID);
    await openLead(HOT_ID);
    expect(expected.tier).toBe('Hot');
    expect(await ringLabel()).toBe(`Score ${expected.scaled} out of 100, tier ${expected.tier}`);
    expect(await page.locator('c-lead-score [data-id="ring"] text').textContent()).toBe(String(expected.scaled));
    expect((await page.locator('c-lead-score [data-id="tier"]').textContent())?.trim()).toBe(expected.tier);
    expect(await page.locator('c-lead-score [data-id="decile"]').textContent()).toBe(`Decile ${expected.decile} of 10`);
    expect(await page.locator('c-lead-score [data-id="model"]').textContent()).toBe(
      `Model lead-scoring ${expected.version}`,
    );
    await page.locator('c-lead-score').screenshot({ path: path.join(SHOT_DIR, 'lead-score-hot.png') });
  });

  test("lists the service's reasons in order, split into what raises and what lowers the score", async () => {
    const expected = await scoreDirectly(HOT_ID);
    await openLead(HOT_ID);
    const reasons = expected.explanation.reasons;
    expect(reasons.length).toBeGreaterThan(0);
    expect(await reasonTexts('raises')).toEqual(reasons.filter((r) => r.direction === 'raises').map((r) => r.text));
    expect(await reasonTexts('lowers')).toEqual(reasons.filter((r) => r.direction === 'lowers').map((r) => r.text));
    // bars shrink with the contribution, the strongest reason at full width
    const widths = await page
      .locator('c-lead-score section[data-id="raises"] .reason-bar')
      .evaluateAll((bars) => bars.map((b) => parseFloat((b as unknown as { style: { width: string } }).style.width)));
    expect(widths).toEqual([...widths].sort((a, b) => b - a));
  });

  test('shows the cold sample lead as Cold with what lowers it', async () => {
    const expected = await scoreDirectly(COLD_ID);
    await openLead(COLD_ID);
    expect(expected.tier).toBe('Cold');
    expect(await ringLabel()).toBe(`Score ${expected.scaled} out of 100, tier Cold`);
    expect(await reasonTexts('lowers')).toEqual(
      expected.explanation.reasons.filter((r) => r.direction === 'lowers').map((r) => r.text),
    );
    await page.locator('c-lead-score').screenshot({ path: path.join(SHOT_DIR, 'lead-score-cold.png') });
  });

  test('draws the score trend from the history of champion scores', async () => {
    await openLead(HOT_ID);
    const hot = SAMPLE_LEADS.find((l) => l.id === HOT_ID) as unknown as { earlier: unknown[] };
    expect(await trendCount()).toBe(hot.earlier.length + 1);
    const label = await page.locator('c-lead-score [data-id="sparkline"]').getAttribute('aria-label');
    expect(label).toMatch(/^Score (rose|fell|stayed)/);
  });

  test('Refresh asks for a new score, shows it as requested, then shows the new score and refreshes the record', async () => {
    await openLead(HOT_ID);
    const before = await trendCount();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/apex/LeadScoreController.rescoreLead')),
      page.locator('c-lead-score [data-id="refresh"] button').click(),
    ]);
    expect(response.status()).toBe(200);
    const answer = (await response.json()) as { rescoreRequestedAt?: string };
    expect(Number.isNaN(Date.parse(answer.rescoreRequestedAt ?? ''))).toBe(false);
    await page.locator('c-lead-score [data-id="refresh-requested"]').waitFor();
    // the card reads getLeadScore again until a score newer than the request is stored
    await page.locator('c-lead-score [data-id="refresh-requested"]').waitFor({ state: 'detached', timeout: 30000 });
    expect(await trendCount()).toBe(before + 1);
    expect(await page.locator('c-lead-score [data-id="scored-ago"]').textContent()).toBe('Scored just now');
    const expected = await scoreDirectly(HOT_ID);
    expect(await ringLabel()).toBe(`Score ${expected.scaled} out of 100, tier ${expected.tier}`);
    expect(await page.evaluate(() => (window as unknown as { __recordUpdates?: string[] }).__recordUpdates)).toEqual([
      HOT_ID,
    ]);
  });

  test('opens the explanation as a waterfall from the base value to the score', async () => {
    const expected = await scoreDirectly(HOT_ID);
    await openLead(HOT_ID);
    await page.locator('c-lead-score [data-id="explain"] button').click();
    const waterfall = page.locator('c-lead-score-explanation [data-id="waterfall"]');
    await waterfall.waitFor();
    const labels = await waterfall.locator('[data-id="step-label"]').allTextContents();
    expect(labels.slice(0, expected.explanation.reasons.length)).toEqual(
      expected.explanation.reasons.map((r) => r.label),
    );
    expect(await waterfall.locator('[data-id="score-after"]').textContent()).toBe(
      `${(expected.score * 100).toFixed(expected.score < 0.01 ? 2 : 1)}%`,
    );
    await page.locator('[data-id="close"] button').click();
    await waterfall.waitFor({ state: 'detached' });
  });

  test('works from the keyboard: Tab reaches Refresh and Explain, Enter opens the explanation, Escape closes it', async () => {
    await openLead(HOT_ID);
    const refresh = page.locator('c-lead-score [data-id="refresh"] button');
    const explain = page.locator('c-lead-score [data-id="explain"] button');
    await refresh.focus();
    await page.keyboard.press('Tab');
    // synthetic shadow retargets document.activeElement to the host, so ask the button itself
    expect(await explain.evaluate((button) => button.matches(':focus'))).toBe(true);
    await page.keyboard.press('Enter');
    const waterfall = page.locator('c-lead-score-explanation [data-id="waterfall"]');
    await waterfall.waitFor();
    await page.keyboard.press('Escape');
    await waterfall.waitFor({ state: 'detached' });
  });

  test('has no accessibility violations in the rendered card or the explanation (axe-core, as sa11y uses)', async () => {
    await openLead(HOT_ID);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    // axe gets the element itself: synthetic shadow hides component internals from document-level queries
    const audit = (selector: string) =>
      page.locator(selector).evaluate(async (element) => {
        const axe = (
          globalThis as unknown as {
            axe: { run(t: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[]; passes: unknown[] }> };
          }
        ).axe;
        const result = await axe.run(element);
        return {
          violations: result.violations.map((v) => `${v.id} (${v.nodes.length})`),
          passes: result.passes.length,
        };
      });
    const card = await audit('c-lead-score');
    expect(card.passes).toBeGreaterThan(5);
    expect(card.violations).toEqual([]);
    await page.locator('c-lead-score [data-id="explain"] button').click();
    await page.locator('c-lead-score-explanation [data-id="waterfall"]').waitFor();
    const explanation = await audit('c-lead-score-explanation');
    expect(explanation.passes).toBeGreaterThan(5);
    expect(explanation.violations).toEqual([]);
    await page.keyboard.press('Escape');
  });

  test('a lead that was never scored says so, and Score now scores it', async () => {
    await openLead(NEW_ID);
    expect(await page.locator('c-lead-score [data-id="never-scored"]').textContent()).toContain(
      "This lead hasn't been scored yet.",
    );
    await page.locator('c-lead-score [data-id="refresh"] button').click();
    await page.locator('c-lead-score [data-id="ring"]').waitFor({ timeout: 30000 });
    const expected = await scoreDirectly(NEW_ID);
    expect(await ringLabel()).toBe(`Score ${expected.scaled} out of 100, tier ${expected.tier}`);
  });

  test('keeps the API key on the server: neither the page, its script nor its requests carry it', async () => {
    const requests: string[] = [];
    page.on('request', (request) =>
      requests.push(JSON.stringify({ url: request.url(), headers: request.headers(), body: request.postData() })),
    );
    await openLead(HOT_ID);
    await page.locator('c-lead-score [data-id="refresh"] button').click();
    await page.locator('c-lead-score [data-id="refresh-requested"]').waitFor({ state: 'detached', timeout: 30000 });
    const html = await (await fetch(preview.url)).text();
    const script = await (await fetch(new URL('dist/app.js', preview.url))).text();
    expect(requests.length).toBeGreaterThan(0);
    for (const text of [html, script, ...requests]) expect(text).not.toContain(service.apiKey);
    expect(requests.every((r) => !r.includes(service.url))).toBe(true);
  });

  test('the preview server refuses unknown leads and paths outside its folders', async () => {
    const unknown = await fetch(new URL('api/apex/LeadScoreController.getLeadScore', preview.url), {
      method: 'POST',
      body: JSON.stringify({ leadId: '00Q000000000000AAA' }),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'No lead with id 00Q000000000000AAA.' });
    // fetch() would normalise "..", so send the raw path the way a hostile client would
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: preview.port, path: '/slds/../../../package.json' }, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
        .on('error', reject);
    });
    expect(status).toBe(404);
  });

  // Runs last: it stops the service.
  test('with the service down, Refresh is accepted, the rescore fails in the background and the stored score shows as stale', async () => {
    await openLead(HOT_ID);
    const label = await ringLabel();
    await service.stop();
    await page.locator('c-lead-score [data-id="refresh"] button').click();
    await page.locator('c-lead-score [data-id="refresh-requested"]').waitFor();
    await page.locator('c-lead-score [data-id="stale"]').waitFor({ timeout: 30000 });
    expect(await page.locator('c-lead-score [data-id="stale"]').textContent()).toContain(
      'The last rescore did not complete',
    );
    expect(await page.locator('c-lead-score [data-id="stale-badge"]').textContent()).toBe('Stale');
    expect(await ringLabel()).toBe(`${label}, may be out of date`);
    // a fresh page load still shows the stored score, marked stale
    await openLead(HOT_ID);
    expect(await page.locator('c-lead-score [data-id="stale-badge"]').textContent()).toBe('Stale');
  });
});
