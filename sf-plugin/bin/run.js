#!/usr/bin/env node
// Runs the compiled plugin without the sf CLI: ./bin/run.js scoring model list
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
