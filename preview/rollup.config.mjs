/**
 * Builds the off-platform preview: the same component sources as force-app, compiled with LWC OSS and
 * lightning-base-components, with the Salesforce-only modules (Apex, labels, toast event, uiRecordApi) bound to preview adapters.
 * `npm run build:preview` -> preview/dist/app.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import replace from '@rollup/plugin-replace';
import nodeResolve from '@rollup/plugin-node-resolve';

const here = path.dirname(fileURLToPath(import.meta.url));
const componentsDir = path.resolve(here, '../force-app/main/default/lwc');
// The same reader the LWC jest tests use, so the preview shows the org's label texts.
const { readCustomLabels, LABELS_FILE } = createRequire(import.meta.url)('../force-app/test/customLabels.js');
const LABEL_PREFIX = '@salesforce/label/c.';
const LABEL_MODULE = '\0salesforce-label:';
let labels = {};

// force-app keeps bundles flat (lwc/leadScore); LWC OSS expects namespace folders, so map each c/ bundle by name.
const componentModules = fs
  .readdirSync(componentsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(componentsDir, entry.name, `${entry.name}.js`)))
  .map((entry) => ({ name: `c/${entry.name}`, path: path.join(componentsDir, entry.name, `${entry.name}.js`) }));

// Salesforce platform modules the components import, bound to preview implementations.
const platformModules = {
  '@salesforce/apex': path.join(here, 'src/platform/apex/index.js'),
  '@salesforce/apex/LeadScoreController.getLeadScore': path.join(here, 'src/platform/apex/getLeadScore.js'),
  '@salesforce/apex/LeadScoreController.rescoreLead': path.join(here, 'src/platform/apex/rescoreLead.js'),
  'lightning/platformShowToastEvent': path.join(here, 'src/platform/platformShowToastEvent.js'),
  'lightning/uiRecordApi': path.join(here, 'src/platform/uiRecordApi.js'),
};

export default {
  input: path.join(here, 'src/main.js'),
  output: {
    file: path.join(here, 'dist/app.js'),
    format: 'esm',
    // lightning-base-components loads some parts with dynamic import(); one file keeps serving simple.
    inlineDynamicImports: true,
    sourcemap: false,
  },
  onwarn(warning, warn) {
    // lightning-card's template compiles with harmless duplicate-slot warnings (LWC1137).
    if (String(warning.message || '').includes('LWC1137')) return;
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
  plugins: [
    {
      name: 'salesforce-platform-modules',
      // The labels file is read once per build, not once for each of the label modules.
      buildStart() {
        labels = readCustomLabels();
        this.addWatchFile(LABELS_FILE);
      },
      resolveId(source) {
        if (source.startsWith(LABEL_PREFIX)) return LABEL_MODULE + source.slice(LABEL_PREFIX.length);
        return platformModules[source] || null;
      },
      // @salesforce/label/c.Name -> a module whose default export is the label's text; an unknown name fails
      // the build, as it fails a deploy.
      load(id) {
        if (!id.startsWith(LABEL_MODULE)) return null;
        const name = id.slice(LABEL_MODULE.length);
        if (!(name in labels)) this.error(`No Custom Label ${name} in force-app/main/default/labels.`);
        return `export default ${JSON.stringify(labels[name])};`;
      },
    },
    replace({
      preventAssignment: true,
      values: {
        // lightning-base-components reads import.meta.env.SSR, which only exists under Vite.
        'import.meta.env.SSR': 'false',
        'process.env.NODE_ENV': JSON.stringify('production'),
      },
    }),
    lwc({
      rootDir: path.join(here, 'src'),
      modules: [{ dir: 'lwc' }, ...componentModules, { npm: 'lightning-base-components' }],
      // These run outside LWC templates (plain JS), so they need no LWC compile step.
      exclude: ['**/src/platform/**'],
    }),
    nodeResolve(),
  ],
};
