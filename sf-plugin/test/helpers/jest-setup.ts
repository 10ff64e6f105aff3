// Commands here import models, start services and run ONNX Runtime on a shared 2-core machine:
// allow them time (jest's per-project testTimeout is not honoured in a multi-project run).
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
