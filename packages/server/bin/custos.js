#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles on load), so `npx custos` works from a fresh clone.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
