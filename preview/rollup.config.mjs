/**
 * Builds the off-platform preview: the same component sources as force-app, compiled with LWC OSS and
 * lightning-base-components, with the Salesforce-only modules (Apex, toast event) bound to preview adapters.
 * `npm run build:preview` -> preview/dist/app.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import replace from '@rollup/plugin-replace';
import nodeResolve from '@rollup/plugin-node-resolve';

const here = path.dirname(fileURLToPath(import.meta.url));
const componentsDir = path.resolve(here, '../force-app/main/default/lwc');

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
      resolveId(source) {
        return platformModules[source] || null;
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
