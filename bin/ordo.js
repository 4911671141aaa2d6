#!/usr/bin/env node
// The installed command: runs the compiled command line (`npm run build` makes dist/).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
