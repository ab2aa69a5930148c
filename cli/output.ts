// Stable YAML / JSON rendering: same input, byte-identical output.
import { stringify } from 'yaml';

/**
 * YAML 1.1 quoting on purpose: kubectl, Helm and Argo CD read YAML 1.1, where an unquoted `off`, `yes`
 * or `1:20` is not a string.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false, sortMapEntries: false });
}

export function toYamlStream(values: readonly unknown[]): string {
  return values.map((v) => `---\n${toYaml(v)}`).join('');
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
