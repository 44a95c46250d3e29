/**
 * What the `mcp` command uses of the MCP SDK and zod, in one module: the CLI
 * build makes it a bundle of its own (dist/vendor/mcp.js, scripts/build.mjs)
 * that only `fluxhelm mcp` loads, and the SDK and the tools' input schemas
 * share the one zod it holds.
 */
export { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export { z } from 'zod';
