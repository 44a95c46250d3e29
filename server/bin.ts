/** Executable entry of dist/server.js. */
import { runServer } from './main.ts';

runServer();
