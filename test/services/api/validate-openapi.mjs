// Validates an OpenAPI document against the OpenAPI schemas, printing the result as JSON.
// A script of its own because the validator is an ES module, which jest's CommonJS
// runtime cannot import: `node validate-openapi.mjs document.json`.
import process from 'node:process';
import { Validator } from '@seriousme/openapi-schema-validator';

const validator = new Validator();
const result = await validator.validate(process.argv[2]);
process.stdout.write(
  JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }),
);
