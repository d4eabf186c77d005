#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: V8's young generation grows to 2 × 16 MB by default and never shrinks; capped at
// 2 × 4 MB a 1,000-paper day peaks at ~93 MiB instead of ~117 (same CPU time within noise). `env -S` splits
// the #! line into arguments (Linux coreutils 8.30+, macOS); npm's Windows shims read the same line.
import '../dist/cli.js';
