/**
 * Reads force-app's Custom Labels (labels/CustomLabels.labels-meta.xml) into { name: value }, so the LWC jest
 * tests and the off-platform preview show the same text the org does for `@salesforce/label/c.Name` imports.
 * The file is the package's own, one <labels> element per label with <fullName> and <value>; anything else in it
 * is refused with the element that is wrong, rather than guessed at.
 */
const fs = require('node:fs');
const path = require('node:path');

const LABELS_FILE = path.join(__dirname, '..', 'main', 'default', 'labels', 'CustomLabels.labels-meta.xml');
const ENTITIES = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };

function decode(text) {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (entity) => ENTITIES[entity]);
}

function readCustomLabels(file = LABELS_FILE) {
  const xml = fs.readFileSync(file, 'utf8');
  const labels = {};
  for (const [, body] of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    const name = /<fullName>([^<]+)<\/fullName>/.exec(body);
    const value = /<value>([^<]*)<\/value>/.exec(body);
    if (!name || !value) {
      throw new Error(`${file}: a <labels> element lacks <fullName> or <value>: ${body.trim().slice(0, 120)}`);
    }
    if (labels[name[1]] !== undefined) throw new Error(`${file}: label ${name[1]} is defined twice`);
    labels[name[1]] = decode(value[1]);
  }
  if (Object.keys(labels).length === 0) throw new Error(`${file}: no <labels> found`);
  return labels;
}

module.exports = { readCustomLabels, LABELS_FILE };
