/**
 * The components of a project's force-app as source-deploy-retrieve resolves them for a deploy:
 * every type, full name and metadata file, in whatever package folder they sit (force-app/main,
 * force-app/install, ...), children (fields, list views, record types) included. The reference
 * checks ask this index what exists rather than assuming a folder layout.
 */
import * as path from 'node:path';
import { ComponentSet, type SourceComponent } from '@salesforce/source-deploy-retrieve';

export interface ProjectComponent {
  /** Metadata API type, e.g. CustomField. */
  type: string;
  /** Full name, e.g. Lead.Lead_Score__c. */
  fullName: string;
  /** The -meta.xml file, when the component has one. */
  xml?: string;
}

export function projectComponents(projectDir: string): ProjectComponent[] {
  const components: ProjectComponent[] = [];
  const add = (component: SourceComponent): void => {
    components.push({ type: component.type.name, fullName: component.fullName, xml: component.xml });
    for (const child of component.getChildren()) add(child);
  };
  for (const component of ComponentSet.fromSource(path.join(projectDir, 'force-app')).getSourceComponents()) {
    add(component);
  }
  return components;
}

/** Lower-cased full names of one type. */
export const fullNamesOf = (components: ProjectComponent[], type: string): Set<string> =>
  new Set(components.filter((c) => c.type === type).map((c) => c.fullName.toLowerCase()));
