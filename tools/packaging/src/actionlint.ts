#!/usr/bin/env node
// actionlint (the GitHub Actions workflow checker), built from
// its Go module (go/actionlint/go.mod) into the binary cache (gotool.ts);
// test/actionlint.test.ts runs it over .github/workflows. `node src/actionlint.ts` builds it if
// needed and prints its path (scripts/setup.sh runs this).
import { ensureGoTool, type GoTool } from './gotool.ts';

export const actionlintTool: GoTool = {
  name: 'actionlint',
  pkg: 'github.com/rhysd/actionlint/cmd/actionlint',
  module: 'github.com/rhysd/actionlint',
  // What its release build sets, so `actionlint -version` reports the pinned release.
  versionFlags: (v) => [`-X github.com/rhysd/actionlint.version=${v}`],
};

export const ensureActionlint = (log?: (msg: string) => void) => ensureGoTool(actionlintTool, log);

if (import.meta.main) {
  console.log(ensureActionlint((m) => console.error(m)));
}
