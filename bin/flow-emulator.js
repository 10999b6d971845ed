#!/usr/bin/env node
// Thin launcher: the emulator is written in TypeScript and built to dist/ (npm install runs the build).
require("../dist/emulator/main.js").main(process.argv.slice(2));
