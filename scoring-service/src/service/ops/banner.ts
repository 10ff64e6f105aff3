/**
 * What `npm start` prints for a newcomer: where the service listens, the generated keys, and
 * one copy-paste curl that scores a sample lead with its top reasons.
 */
import type { Manifest } from '../../manifest/schema';
import type { ServingSet } from '../serving/serving-set';

/** A plausible value per input: the first known category, the baseline median, a recent date. */
export function sampleInputs(manifest: Manifest, today = new Date()): Record<string, string | number | boolean> {
  const inputs: Record<string, string | number | boolean> = {};
  for (const input of manifest.inputs) {
    const baseline = manifest.baseline.inputs[input.name];
    switch (input.type) {
      case 'boolean':
        inputs[input.name] = true;
        break;
      case 'date': {
        const d = new Date(today.getTime() - 30 * 86_400_000);
        inputs[input.name] = d.toISOString().slice(0, 10);
        break;
      }
      case 'string': {
        const fromFeatures = manifest.features.find(
          (f) => (f.kind === 'onehot' || f.kind === 'ordinal') && f.input === input.name,
        );
        const categories =
          input.allowed ?? (fromFeatures && 'categories' in fromFeatures ? fromFeatures.categories : undefined);
        const fromBaseline =
          baseline && 'categories' in baseline ? baseline.categories.filter((c) => !c.startsWith('__')) : undefined;
        const first = categories?.[0] ?? fromBaseline?.[0];
        if (first !== undefined) inputs[input.name] = first;
        break;
      }
      case 'number': {
        if (baseline && 'edges' in baseline && baseline.edges.length > 0)
          inputs[input.name] = baseline.edges[Math.floor(baseline.edges.length / 2)];
        else inputs[input.name] = 1;
        break;
      }
    }
  }
  return inputs;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function banner(options: {
  url: string;
  set: ServingSet;
  keys?: { client: string; admin: string };
  clientKey?: string;
  previewUrl?: string;
}): string {
  const lines: string[] = [];
  lines.push('', `Scoring service listening on ${options.url}`);
  for (const v of options.set.versions) {
    const model = options.set.models.get(v.name)!;
    const role = model.champion === v ? ' (champion)' : model.challenger === v ? ' (challenger)' : '';
    lines.push(`  serving ${v.name} ${v.version} [${v.status}]${role}`);
  }
  if (options.set.versions.length === 0) lines.push('  no model version is loaded: check MODELS_DIR and the log above');
  if (options.keys) {
    lines.push('', 'No keys configured (SCORING_API_KEYS, SCORING_ADMIN_KEYS), so this process generated them:');
    lines.push(`  API key:   ${options.keys.client}`, `  admin key: ${options.keys.admin}`);
    lines.push('  They change on every start; configure your own keys for anything but a try-out.');
  }
  const key = options.keys?.client ?? options.clientKey ?? '<your key>';
  const binary = [...options.set.models.values()].find((m) => m.champion?.manifest.task === 'binary-classification');
  if (binary?.champion) {
    const body = {
      explain: { top: 3 },
      records: [{ id: '00Q000000000001AAA', inputs: sampleInputs(binary.champion.manifest) }],
    };
    lines.push('', `Score a sample lead with ${binary.name} ${binary.champion.version}:`);
    lines.push(
      `  curl -s ${options.url}/v1/models/${binary.name}/score -H ${shellQuote(`Authorization: Bearer ${key}`)} -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(body))}`,
    );
  }
  if (options.previewUrl) lines.push('', `Lead score preview (what a rep sees): ${options.previewUrl}`);
  lines.push(`API description: ${options.url}/openapi.json (needs the key); docs/service.md`, '');
  return lines.join('\n');
}
