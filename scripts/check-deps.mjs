#!/usr/bin/env node
import { findDirectionViolations } from './lib/dependency-rules.mjs';
import { ROOT } from './lib/services.mjs';

const violations = findDirectionViolations(ROOT);
for (const v of violations) process.stderr.write(`${v.file}: ${v.rule} (${v.import})\n`);
process.exit(violations.length > 0 ? 1 : 0);
