#!/usr/bin/env bash
# `npm run test:node24`: the unit and integration tiers and the consumer e2e test
# (test/e2e/consumer.test.ts, with the newest @pulumi/pulumi) on Node.js 24, from
# scripts/node24.sh. `npm test` stays the main run, on Node 20 with every tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(bash scripts/node24.sh)"
export PATH="$bin:$PATH"
export FLOWSERVICE_TEST_NODE_BIN="$bin"
echo "test:node24: node $(node --version), npm $(npm --version)" >&2
node node_modules/typescript/bin/tsc -p tsconfig.json
exec node node_modules/mocha/bin/mocha.js "test/unit/**/*.test.ts" "test/emulator/**/*.test.ts" "test/integration/**/*.test.ts" test/e2e/consumer.test.ts
