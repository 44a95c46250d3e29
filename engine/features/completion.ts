/** Completion (placeholder until the completion feature lands). */
import type { CompletionList, Position } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
export function doComplete(_file: YamlFile, _position: Position, _registry: SchemaRegistry): CompletionList {
  return { isIncomplete: false, items: [] };
}
