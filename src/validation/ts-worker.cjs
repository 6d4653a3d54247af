// Loads the validation worker from its TypeScript source (tests, `npm start`); the compiled
// build loads validation.worker.js directly and never reaches this file.
require('tsx/cjs/api').register();
module.exports = require('./validation.worker.ts');
