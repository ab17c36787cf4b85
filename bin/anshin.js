#!/usr/bin/env node
// The `anshin` CLI: registers tsx's ESM loader, then loads the TypeScript entry point (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
