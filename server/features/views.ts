/**
 * fluxhelm's own view requests: the effective values of the HelmRelease at
 * a position (with provenance, per overlay), the manifests it renders (per
 * overlay) and the dependency graph. Thin
 * handlers over the façade; problems come back as text in the view.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { LanguageService } from '../../engine/index.ts';
import {
  EffectiveValuesRequest,
  GraphRequest,
  RenderedManifestsRequest,
  type EffectiveValuesParams,
  type EffectiveValuesResult,
  type RenderedManifestsParams,
  type RenderedManifestsResult,
} from '../protocol.ts';
import { renderedView } from './rendered-view.ts';
import { anyParams, uriTarget, type Runner } from '../runner.ts';

export function registerViews(
  connection: Connection,
  service: LanguageService,
  run: Runner,
  ready: () => void = () => undefined,
): void {
  const failed: EffectiveValuesResult = {
    text: '# fluxhelm could not compute the values; see the fluxhelm output channel.\n',
  };
  run.handle(
    EffectiveValuesRequest,
    failed,
    uriTarget,
    async (p: EffectiveValuesParams): Promise<EffectiveValuesResult> => {
      ready();
      const a = await service.effectiveValues({
        uri: p.uri,
        position: p.position,
        overlay: typeof p.overlay === 'string' ? p.overlay : undefined,
        reveal: p.reveal === true,
      });
      return {
        text: a.text,
        ...(a.release ? { release: a.release } : {}),
        ...(a.overlays ? { overlays: a.overlays } : {}),
        ...(a.error ? { error: a.error } : {}),
      };
    },
  );
  run.handle(GraphRequest, { nodes: [], edges: [] }, anyParams, () => {
    ready();
    return service.graph();
  });
  const renderFailed: RenderedManifestsResult = {
    text: '# fluxhelm could not render this release; see the fluxhelm output channel.\n',
  };
  run.handle(
    RenderedManifestsRequest,
    renderFailed,
    uriTarget,
    async (p: RenderedManifestsParams): Promise<RenderedManifestsResult> => {
      if (!service.settings.trusted)
        return { text: '# Rendering runs once the workspace is trusted.\n', error: 'untrusted' };
      ready();
      return renderedView(
        await service.renderRelease({
          uri: p.uri,
          position: p.position,
          overlay: typeof p.overlay === 'string' ? p.overlay : undefined,
        }),
      );
    },
  );
}
