# A small image with the fluxhelm CLI: the Node.js runtime, the bundled
# schemas and Helm's template engine (dist/helm.wasm), entrypoint `fluxhelm`.
# Build from the tarball `npm pack` makes (the build needs Go for the wasm,
# so it happens outside the image):
#   npm pack && docker build -t fluxhelm .
#   docker run --rm -v "$PWD:/repo" fluxhelm check .
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}
COPY fluxhelm-*.tgz /tmp/fluxhelm.tgz
RUN npm install --global --no-fund --no-audit --omit=dev /tmp/fluxhelm.tgz \
 && rm /tmp/fluxhelm.tgz \
 && npm cache clean --force \
 && fluxhelm --version
USER node
WORKDIR /repo
ENTRYPOINT ["fluxhelm"]
CMD ["help"]
