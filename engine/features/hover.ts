/** Hover (placeholder until the hover feature lands). */
import type { Hover, Position } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
export function doHover(_file: YamlFile, _position: Position, _registry: SchemaRegistry): Hover | null {
  return null;
}
