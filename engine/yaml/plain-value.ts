/**
 * One YAML document's plain value, as the `yaml` library's `parse` gives it
 * (the first document of the text; the first error, a second document or an
 * alias count over the limit make it a failure), without the library's own
 * duplicate-key check: `uniqueKeys` compares every key of a map with all
 * earlier ones, and a fuzz-grown 200 KB Chart.yaml of 9,000 keys took 3.3 s
 * to read when a HelmRelease's local chart was resolved (issue 16). Repeated
 * keys are found with a set (duplicateKeyOffsets) and are still an error, the
 * library's own (`Map keys must be unique`), placed among the other errors
 * by offset as the library reports them. A second document is not read: the
 * library composes it only to fail with MULTIPLE_DOCS, which it is here at
 * its first token (a fuzz-grown Chart.yaml is the chart's metadata and a
 * 200 KB document pasted after it). Never throws.
 */
import { Composer, Lexer, Parser, YAMLParseError, type CST, type Document, type ParseOptions, type DocumentOptions, type SchemaOptions, type ToJSOptions } from 'yaml';
import { duplicateKeyOffsets } from './documents.ts';

export type PlainValueResult = { ok: true; value: unknown } | { ok: false; message: string };

/** `parse(text, options)` of the library with errors unprettified and no warnings printed. */
export function readPlainValue(text: string, options: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {}): PlainValueResult {
  try {
    const composer = new Composer({ ...options, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    const parser = new Parser();
    let doc: Document.Parsed | undefined;
    let documents = 0;
    let second: [number, number] | undefined;
    const compose = (tokens: Iterable<CST.Token>) => {
      for (const token of tokens) {
        if (token.type === 'document') documents++;
        for (const d of composer.next(token)) doc ??= d;
      }
    };
    // Lexeme by lexeme: the parser hands out a document only when it is whole, and the second one starts here.
    for (const lexeme of new Lexer().lex(text)) {
      compose(parser.next(lexeme));
      const started = parser.stack[0];
      if (documents > 0 && started?.type === 'document') {
        second = [started.offset, started.offset];
        break;
      }
    }
    if (!second) compose(parser.end());
    for (const d of composer.end(true, text.length)) doc ??= d;
    if (!doc) return { ok: true, value: null };
    const errors = [...doc.errors];
    if (second) errors.push(new YAMLParseError(second, 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
    const duplicate = duplicateKeyOffsets(doc)[0];
    if (duplicate !== undefined) {
      const at = errors.findIndex((e) => e.pos[0] > duplicate);
      errors.splice(at < 0 ? errors.length : at, 0, new YAMLParseError([duplicate, duplicate + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
    }
    if (errors.length > 0) return { ok: false, message: errors[0].message };
    return { ok: true, value: doc.toJS(options) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
