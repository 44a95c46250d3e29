/** Document symbols (placeholder until the outline feature lands). */
import type { DocumentSymbol } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
export function findDocumentSymbols(_file: YamlFile, _registry: SchemaRegistry): DocumentSymbol[] {
  return [];
}
