/**
 * Public surface of the values engine: effective values with provenance,
 * Flux's user-values merge, Helm's coalescing and `--set` parser.
 */
export { computeEffectiveValues, mergeValuesFiles, type EffectiveValuesInput, type EffectiveValuesResult, type ChartValues } from './effective.ts';
export { chartValuesFromReferences, mergeMaps, DEFAULT_VALUES_KEY, type ValuesReference, type ValuesObject, type ValuesLookup, type ValuesFromError, type UserValuesResult } from './merge.ts';
export { coalesceChartValues, valuesPerChart, type CoalesceOptions, type CoalesceResult } from './coalesce.ts';
export { parseSet, parseSetInto, replacePathValue, guessType, type StrvalsMode } from './strvals.ts';
export { flattenValues, lookupValue, maskSecretLeaves, toPlainMasked, formatValuePath, parseValuePath, describeSource, SECRET_MASK, type ValueLeaf } from './provenance.ts';
export { readValues, parseYamlValue } from './yaml.ts';
export { toPlain, fromPlain, type ValueSource, type PlainValue, type NodeMap } from './tree.ts';
