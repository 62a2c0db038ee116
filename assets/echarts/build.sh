#!/bin/sh
# Rebuilds static/vendor/echarts/echarts.custom.min.js from the npm package pinned in package.json
# (and package-lock.json). Run by hand when the portal needs another chart type or component
# (add it to entry.js) or a newer ECharts; commit the output. Nothing runs this at install time.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npx esbuild entry.js --bundle --minify --format=iife --target=es2017 --legal-comments=none \
    --define:process.env.NODE_ENV='"production"' \
    --banner:js="/*! Apache ECharts $(node -p 'require("echarts/package.json").version') custom build (bar, line, pie; canvas), Apache-2.0: see LICENSE and NOTICE beside this file. Recipe: assets/echarts/ */" \
    --outfile=../../static/vendor/echarts/echarts.custom.min.js
cp node_modules/echarts/LICENSE node_modules/echarts/NOTICE ../../static/vendor/echarts/
