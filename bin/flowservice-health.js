#!/usr/bin/env node
// Thin launcher: the command is written in TypeScript and built to dist/ (npm install runs the build).
require("../dist/commands/health/cli.js").main(process.argv.slice(2));
