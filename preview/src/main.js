// Synthetic shadow must load before any component (lightning-base-components relies on it with global SLDS CSS).
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import PreviewApp from 'preview/app';

const app = createElement('preview-app', { is: PreviewApp });
document.getElementById('root').appendChild(app);
